import { hostname, userInfo } from 'node:os';
import { InvalidFieldError, OAuthError, UnknownIdError, UsageError } from '../errors.js';
import type { Gridkey } from '../gridkey.js';
import { nowSeconds } from '../lib/clock.js';
import type { AuditOutcome } from '../store/types.js';

/**
 * Who acts, for the audit log: an admin token (`pat:<id> (<name>)`, from
 * the request's address) or the CLI (`cli:<user>@<host>`).
 */
export interface Actor {
  readonly name: string;
  readonly address: string;
}

/** The CLI's actor: the operating-system user and host that ran the command. */
export function cliActor(): Actor {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for the uid (a container): the uid says who it was.
    user = String(process.getuid?.() ?? 'unknown');
  }
  return { name: `cli:${user}@${hostname()}`, address: 'cli' };
}

/** What every operation runs with: the server's parts, who acts, and when. */
export interface OperationContext {
  readonly gk: Gridkey;
  readonly actor: Actor;
  /** Unix seconds, read once: one operation sees one time. */
  readonly now: number;
}

export function operationContext(gk: Gridkey, actor: Actor): OperationContext {
  return { gk, actor, now: nowSeconds(gk.clock) };
}

/**
 * Records one action in the audit log (never a secret in `detail`: names,
 * roles, scopes, ids). A mutating operation records through
 * {@link runAudited} instead, which records refusals and failures too.
 */
export function audit(
  ctx: OperationContext,
  action: string,
  target: string,
  detail: Record<string, unknown> = {},
  outcome: AuditOutcome = 'ok',
): Promise<void> {
  return ctx.gk.audit.record({
    actor: ctx.actor.name,
    action,
    target,
    address: ctx.actor.address,
    outcome,
    detail,
  });
}

/**
 * The code an attempt is refused with, as the admin API answers it (a bad
 * field is `invalid_field`, so it can be told from other bad requests);
 * undefined for a failure that is not the caller's (5xx, unexpected).
 */
export function refusalCode(err: unknown): string | undefined {
  if (err instanceof InvalidFieldError) return 'invalid_field';
  if (err instanceof UsageError) return 'invalid_request';
  if (err instanceof UnknownIdError) return 'not_found';
  if (err instanceof OAuthError && err.status < 500) return err.error;
  return undefined;
}

/** What a mutating operation's work answers: its result, and what the audit entry says. */
export interface Audited<T> {
  result: T;
  /** The final target (e.g. a created id); default the hint. */
  target?: string;
  /** Never a secret: names, roles, scopes, ids. */
  detail?: Record<string, unknown>;
}

/** A target as submitted, bounded (an id or e-mail the caller typed; a refusal keeps it). */
const MAX_HINT = 200;

/**
 * Runs one mutating operation and records it, whatever happens: `ok` with
 * the final target and detail; `refused` with the error's code (and the
 * field a bad value was given for) when the caller's attempt is refused;
 * `failed` for anything else, when the store still takes the entry. The
 * original error is always rethrown; a failing audit write never masks it.
 * Nothing submitted but the target hint (an id or e-mail) and the field's
 * name goes in a refusal's entry: a refused value may be a secret.
 *
 * @example
 *   runAudited(ctx, 'client.delete', id, async () => {
 *     await ctx.gk.clients.delete(id);
 *     return { result: { client_id: id, deleted: true } };
 *   });
 */
export async function runAudited<T>(
  ctx: OperationContext,
  action: string,
  targetHint: string,
  work: () => Promise<Audited<T>>,
): Promise<T> {
  let done: Audited<T>;
  try {
    done = await work();
  } catch (err) {
    const code = refusalCode(err);
    const detail: Record<string, unknown> = { error: code ?? errorCodeOf(err) };
    if (err instanceof InvalidFieldError) detail.field = err.field;
    try {
      await audit(
        ctx,
        action,
        targetHint.slice(0, MAX_HINT),
        detail,
        code === undefined ? 'failed' : 'refused',
      );
    } catch {
      // The store may be what failed: the original error is the one to report.
    }
    throw err;
  }
  await audit(ctx, action, done.target ?? targetHint, done.detail ?? {});
  return done.result;
}

/** A failure's wire code: a 5xx OAuthError's own, else the generic one. */
const errorCodeOf = (err: unknown): string =>
  err instanceof OAuthError ? err.error : 'server_error';
