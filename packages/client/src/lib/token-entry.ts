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

/** After a failed background renewal, wait this share of the remaining lifetime before the next. */
const RENEW_AGAIN_AFTER = 0.25;

/**
 * One cache entry: the token for one (scope, audience), and at most one
 * request for it in flight, which every caller shares.
 */
export class TokenEntry {
  #token: CachedToken | undefined;
  /** The token an API refused last: a renewal must not bring it back. */
  #refused: string | undefined;
  #flight: Flight | undefined;

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
    if (token !== undefined && now < token.expiresAt) {
      if (now >= token.renewAt && this.#flight === undefined) this.#renewInBackground();
      return Promise.resolve(token.value);
    }
    return this.#join(this.#flight ?? this.#start(false), signal);
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
          emit({
            type: 'failed',
            ...this.target,
            background,
            code: isTokenRequestError(err) ? err.code : 'aborted',
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

  #store(issued: IssuedToken): void {
    if (issued.lifetimeMs === undefined) {
      this.#token = undefined;
      return;
    }
    // Jitter only ever brings renewal forward, so a token is never renewed late.
    const share = Math.max(0, this.settings.renewAt - Math.random() * RENEW_JITTER);
    this.#token = {
      value: issued.value,
      expiresAt: issued.requestedAt + issued.lifetimeMs,
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
        if (flight.abortable === 0 && flight.steadfast === 0)
          flight.controller.abort(signal.reason);
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
