import { isTokenRequestError } from '../errors.js';
import type { TokenClientEvent } from '../events.js';
import { type CommonSettings, RENEW_JITTER } from './options.js';
import type { IssuedToken, TokenTarget } from './token-request.js';

/**
 * How an entry gets a new token: a request to the endpoint (with retries), or
 * a token another process already renewed. `replacing` is the token being
 * renewed away from, which must not come back.
 */
export type ObtainToken = (
  signal: AbortSignal,
  emit: (event: TokenClientEvent) => void,
  replacing: string | undefined,
) => Promise<IssuedToken>;

interface CachedToken {
  value: string;
  /** On `now()`'s clock; undefined when the lifetime is unknown (then never served twice). */
  expiresAt: number;
  renewAt: number;
}

interface Flight {
  promise: Promise<string>;
  controller: AbortController;
  /** Callers waiting with a signal of their own; the flight stops when all have left. */
  abortable: number;
  /** Callers waiting without a signal: they keep the flight going. */
  steadfast: number;
}

const noop = () => {};

/** After a failed background renewal, wait this share of the remaining lifetime before the next. */
const RENEW_AGAIN_AFTER = 0.25;

/**
 * After a refusal (400/401/403), calls fail with it for this long without a
 * request: a bad secret asked for on every call is a storm of its own.
 */
const REFUSAL_HOLD_MS = 10_000;

/** A token is not handed out in its last moments, which a request in flight would outlive. */
const EXPIRY_MARGIN_MS = 2_000;
const EXPIRY_MARGIN_SHARE = 0.05;

/**
 * One cache entry: the token for one (scope, audience), and at most one
 * request for it in flight, which every caller shares.
 */
export class TokenEntry {
  #token: CachedToken | undefined;
  /** The token an API refused last: a renewal must not bring it back. */
  #refused: string | undefined;
  #flight: Flight | undefined;
  #closed = false;
  /** Until `until` (on `now()`), new requests are not sent and callers get `error`. */
  #hold: { until: number; error: unknown } | undefined;

  constructor(
    private readonly settings: CommonSettings,
    private readonly target: TokenTarget,
    private readonly obtain: ObtainToken,
  ) {}

  /** A valid token: the cached one (renewing it in the background when due), or a new one. */
  get(signal: AbortSignal | undefined): Promise<string> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = this.settings.now();
    const token = this.#token;
    const held = this.#hold !== undefined && now < this.#hold.until;
    if (token !== undefined && now < token.expiresAt) {
      const due = now >= token.renewAt && this.#flight === undefined;
      if (due && !held && !this.#closed) this.#renewInBackground();
      return Promise.resolve(token.value);
    }
    if (this.#closed) return Promise.reject(new Error('the TokenClient is closed'));
    if (this.#flight === undefined && held) return Promise.reject(this.#hold?.error);
    return this.#join(this.#flight ?? this.#start(false), signal);
  }

  /** Starts no request from now on; resolves once the one in flight has settled. */
  close(): Promise<void> {
    this.#closed = true;
    return this.#flight === undefined ? Promise.resolve() : this.#flight.promise.then(noop, noop);
  }

  /** Forgets `value` if it is still the cached token (an API refused it). */
  invalidate(value: string): void {
    if (this.#token?.value === value) this.#token = undefined;
    this.#refused = value;
  }

  #renewInBackground(): void {
    const flight = this.#start(true);
    flight.steadfast++;
    flight.promise.catch(() => {
      // The current token stays; the next attempt waits a while, so that a
      // renewal failing at once (a revoked secret) does not run on every call.
      const token = this.#token;
      if (token === undefined) return;
      const now = this.settings.now();
      token.renewAt = Math.max(token.renewAt, now + (token.expiresAt - now) * RENEW_AGAIN_AFTER);
    });
  }

  #start(background: boolean): Flight {
    const controller = new AbortController();
    const emit = (event: TokenClientEvent) => this.#emit(event);
    const flight: Flight = {
      controller,
      abortable: 0,
      steadfast: 0,
      promise: this.obtain(controller.signal, emit, this.#token?.value ?? this.#refused).then(
        (issued) => {
          if (this.#flight === flight) this.#flight = undefined;
          this.#store(issued);
          emit({
            type: 'renewed',
            ...this.target,
            background,
            source: issued.attempts === 0 ? 'store' : 'endpoint',
            expiresInMs: issued.lifetimeMs,
            attempts: issued.attempts,
          });
          return issued.value;
        },
        (err: unknown) => {
          if (this.#flight === flight) this.#flight = undefined;
          this.#holdAfter(err);
          emit({
            type: 'failed',
            ...this.target,
            background,
            code: isTokenRequestError(err)
              ? err.code
              : controller.signal.aborted
                ? 'aborted'
                : 'error',
            status: isTokenRequestError(err) ? err.status : undefined,
            error: isTokenRequestError(err) ? err.error : undefined,
          });
          throw err;
        },
      ),
    };
    // A background failure is reported through onEvent, not as an unhandled rejection.
    flight.promise.catch(() => {});
    this.#flight = flight;
    return flight;
  }

  /** A refusal, or a `Retry-After` longer than the retry budget, holds further requests off. */
  #holdAfter(err: unknown): void {
    if (!isTokenRequestError(err)) return;
    const holdMs =
      err.code === 'refused'
        ? REFUSAL_HOLD_MS
        : err.code === 'exhausted'
          ? err.retryAfterMs
          : undefined;
    if (holdMs !== undefined && holdMs > 0) {
      this.#hold = { until: this.settings.now() + holdMs, error: err };
    }
  }

  #store(issued: IssuedToken): void {
    if (issued.lifetimeMs === undefined) {
      this.#token = undefined;
      return;
    }
    // Jitter only ever brings renewal forward, so a token is never renewed late.
    const share = Math.max(0, this.settings.renewAt - Math.random() * RENEW_JITTER);
    this.#hold = undefined;
    const margin = Math.min(EXPIRY_MARGIN_MS, issued.lifetimeMs * EXPIRY_MARGIN_SHARE);
    this.#token = {
      value: issued.value,
      expiresAt: issued.requestedAt + issued.lifetimeMs - margin,
      renewAt: issued.requestedAt + issued.lifetimeMs * share,
    };
  }

  #join(flight: Flight, signal: AbortSignal | undefined): Promise<string> {
    if (signal === undefined) {
      flight.steadfast++;
      return flight.promise;
    }
    flight.abortable++;
    return new Promise<string>((resolve, reject) => {
      const onAbort = () => {
        reject(signal.reason);
        flight.abortable--;
        if (flight.abortable === 0 && flight.steadfast === 0) {
          // Abandoned: callers arriving from now on start a request of their own.
          if (this.#flight === flight) this.#flight = undefined;
          flight.controller.abort(signal.reason);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }

  #emit(event: TokenClientEvent): void {
    try {
      this.settings.onEvent?.(event);
    } catch {
      // A failing logger must not break token renewal.
    }
  }
}
