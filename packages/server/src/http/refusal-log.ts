import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DEFAULTS } from '../config/defaults.js';
import { BearerTokenRequiredError, type OAuthError, TooManyRequestsError } from '../errors.js';
import { escapeUnprintable } from '../lib/printable.js';
import { HashingBusyError } from '../secrets/hashing-gate.js';
import { hashSecret } from '../secrets/secret-hash.js';

/**
 * A username in logs, as a keyed hash: lines of one attack can be grouped
 * (and matched against a user the operator hashes the same way) without
 * the log holding e-mail addresses. Domain-separated from secret hashes.
 */
export function usernameForLog(pepper: Buffer, username: string): string {
  const key = username.trim().normalize('NFC').toLowerCase();
  return hashSecret(pepper, `log-username\u0000${key}`).slice(0, 16);
}

/** What an endpoint knows of who is asking, should the request be refused. */
export interface RefusalNote {
  /** Who: client_id, a hashed username, a customer. Values from the request are escaped. */
  party: Record<string, string | undefined>;
  /** Set when this refusal is a failed login that is not a 401 (a wrong password is 400 invalid_grant). */
  failedAuthentication?: string;
}

/** How long repeated refusals of one address on one path make one line, and how many are remembered. */
export interface RefusalLogSettings {
  repeatWindowMs: number;
  maxRemembered: number;
}

const notes = new WeakMap<FastifyRequest, RefusalNote>();

/** Tells the error handler who a refused request came from. */
export function noteRefusal(req: FastifyRequest, note: RefusalNote): void {
  notes.set(req, note);
}

/**
 * Refusals an operator must see to notice guessing, spraying or a client
 * gone wild (OWASP ASVS 5 V16.3: log authentication failures and
 * anti-automation events), at `warn`: every 429 (and a password login
 * refused because hashing is at capacity), every 401 but a request
 * that carried no credentials at all, and failed password logins. With who
 * was refused, never a secret or a password; other 4xx are the caller's
 * mistakes and stay in the request line. An address hammering a path gets
 * one refused-request line a minute there, carrying how many were left out,
 * so that the flood does not reach the log as well.
 */
export function createRefusalLog(
  logger: Logger,
  now: () => number = Date.now,
  settings: RefusalLogSettings = {
    repeatWindowMs: DEFAULTS.refusalLogRepeatWindowSeconds * 1000,
    maxRemembered: DEFAULTS.refusalLogMaxAddresses,
  },
) {
  const repeats = new Map<string, { until: number; suppressed: number }>();
  return (req: FastifyRequest, err: OAuthError): void => {
    const note = notes.get(req);
    const refused =
      err instanceof TooManyRequestsError
        ? 'request refused: over budget'
        : err instanceof HashingBusyError
          ? 'request refused: password hashing busy'
          : undefined;
    const unauthenticated = err.status === 401 && !(err instanceof BearerTokenRequiredError);
    if (refused === undefined && !unauthenticated && note?.failedAuthentication === undefined) {
      return;
    }
    const who: Record<string, string> = {};
    for (const [k, v] of Object.entries(note?.party ?? {})) {
      if (v !== undefined) who[k] = escapeUnprintable(v.slice(0, 64));
    }
    const path = req.routeOptions.url ?? req.url.split('?', 1)[0];
    if (refused === undefined) {
      logger.warn(
        { path, ...who, error: err.error },
        note?.failedAuthentication ?? 'authentication failed',
      );
      return;
    }
    // By path and address only: every other field is the caller's to vary.
    const key = `${path} ${req.ip}`;
    const t = now();
    const seen = repeats.get(key);
    if (seen !== undefined && seen.until > t) {
      seen.suppressed++;
      return;
    }
    repeats.delete(key);
    if (repeats.size >= settings.maxRemembered)
      repeats.delete(repeats.keys().next().value as string);
    repeats.set(key, { until: t + settings.repeatWindowMs, suppressed: 0 });
    logger.warn(
      {
        path,
        ...who,
        retry_after: Number(err.headers['retry-after']),
        reason: err.message,
        ...(seen?.suppressed ? { repeats_not_logged: seen.suppressed } : {}),
      },
      refused,
    );
  };
}
