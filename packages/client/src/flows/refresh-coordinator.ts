import { randomUUID } from 'node:crypto';
import { isTokenRequestError, TokenRequestError } from '../errors.js';
import { sleep } from '../lib/backoff.js';
import { oauthDialect, oauthFormRequest } from '../lib/oauth-form.js';
import type { ClientAuth, CommonSettings } from '../lib/options.js';
import { type IssuedToken, postTokenRequest, type TokenTarget } from '../lib/token-request.js';
import type { StoredTokens, TokenStore } from '../stores/token-store.js';
import type { Emit } from './token-source.js';

/** How often a process waiting for another's renewal looks at the store again. */
const LEASE_POLL_MS = 50;

/**
 * A lease outlives the longest renewal it covers by this much: the lease's
 * end is set before the store's lock is taken, and a file store may wait
 * for its lock up to 15 s.
 */
const LEASE_MARGIN_MS = 20_000;

/** After a lost compare-and-swap, wait up to this long before reading again. */
const CONTENTION_PAUSE_MS = 20;

/** A write that must land (it holds the newest refresh token) is tried this often. */
const FORCED_WRITE_TRIES = 20;

export interface RefreshCoordinatorOptions {
  settings: CommonSettings;
  client: ClientAuth;
  tokenUrl: string;
  username: string;
  scope: string | undefined;
  target: TokenTarget;
  store: TokenStore;
  key: string;
}

const withoutLease = ({ lease: _lease, ...data }: StoredTokens): StoredTokens => data;

/**
 * Renews through a shared store so that, of all the processes sharing one
 * refresh-token family, exactly one presents the current refresh token: a
 * second presentation of a rotated token is reuse, and RFC 9700 §4.14.2 has
 * the server revoke the whole family for it.
 *
 * The protocol needs nothing but the store's compare-and-swap: a process
 * takes a lease by writing it into the record, renews, and writes the new
 * tokens back; the others wait while the lease holds and then take the
 * access token it stored instead of renewing themselves.
 */
export class RefreshCoordinator {
  #password: string | undefined;
  readonly #owner = randomUUID();
  readonly #leaseMs: number;
  /** One obtain at a time in this process: two would share one lease owner. */
  #turn: Promise<unknown> = Promise.resolve();
  /**
   * Tokens a refresh obtained that the store has not taken yet (its write
   * failed). Until they land, the stored refresh token is spent and must
   * not be presented: doing so is reuse.
   */
  #unstored: StoredTokens | undefined;

  constructor(
    private readonly o: RefreshCoordinatorOptions,
    password: string | undefined,
  ) {
    this.#password = password;
    const { retry, timeoutMs } = o.settings;
    this.#leaseMs = retry.maxElapsedMs + timeoutMs + LEASE_MARGIN_MS;
  }

  /** A token newer than `replacing`: another process's, or one renewed now under a lease. */
  obtain(signal: AbortSignal, emit: Emit, replacing: string | undefined): Promise<IssuedToken> {
    const run = this.#turn.then(() => this.#obtain(signal, emit, replacing));
    this.#turn = run.catch(() => {});
    return run;
  }

  async #obtain(
    signal: AbortSignal,
    emit: Emit,
    replacing: string | undefined,
  ): Promise<IssuedToken> {
    const { store, key } = this.o;
    if (this.#unstored !== undefined) {
      await this.#write(0, this.#unstored, true);
      this.#unstored = undefined;
    }
    for (;;) {
      signal.throwIfAborted();
      const record = (await store.load(key)) ?? { version: 0, data: {} };
      const { data } = record;
      const wallNow = Date.now();
      const shared = this.#adoptable(data, replacing, wallNow);
      if (shared !== undefined) {
        this.#password = undefined;
        return shared;
      }
      const lease = data.lease;
      if (lease !== undefined && lease.owner !== this.#owner && wallNow < lease.until) {
        await sleep(LEASE_POLL_MS * (0.5 + Math.random()), signal);
        continue;
      }
      if (data.refreshToken === undefined && this.#password === undefined) {
        throw new TokenRequestError('login_required', { attempts: 0 });
      }
      const leased = { ...data, lease: { owner: this.#owner, until: wallNow + this.#leaseMs } };
      if (!(await store.compareAndSwap(key, record.version, leased))) {
        await sleep(CONTENTION_PAUSE_MS * Math.random(), signal);
        continue;
      }
      const issued = await this.#renew(record.version + 1, leased, signal, emit);
      if (issued !== 'log_in_again') return issued;
    }
  }

  /** Another process's access token, while it is short of its renewal point. */
  #adoptable(
    data: StoredTokens,
    replacing: string | undefined,
    wallNow: number,
  ): IssuedToken | undefined {
    const { accessToken, issuedAt, lifetimeMs } = data;
    if (accessToken === undefined || accessToken === replacing) return undefined;
    if (issuedAt === undefined || lifetimeMs === undefined) return undefined;
    if (wallNow >= issuedAt + lifetimeMs * this.o.settings.renewAt) return undefined;
    return {
      value: accessToken,
      lifetimeMs,
      // Wall-clock age, carried onto this process's monotonic clock.
      requestedAt: this.o.settings.now() - Math.max(0, wallNow - issuedAt),
      refreshToken: undefined,
      attempts: 0,
    };
  }

  async #renew(
    version: number,
    leased: StoredTokens,
    signal: AbortSignal,
    emit: Emit,
  ): Promise<IssuedToken | 'log_in_again'> {
    const { settings, client, tokenUrl, target } = this.o;
    const refreshToken = leased.refreshToken;
    const params =
      refreshToken === undefined
        ? {
            grant_type: 'password',
            username: this.o.username,
            password: this.#password,
            scope: this.o.scope,
          }
        : { grant_type: 'refresh_token', refresh_token: refreshToken };
    const request = oauthFormRequest(tokenUrl, client, params);
    // A refresh is seen through even when every caller has gone: abandoned
    // after the server rotated the token, it would lose the new refresh
    // token, and the next presentation of the old one is reuse (RFC 9700
    // §4.14.2) that revokes the family. It is bounded by the retry policy.
    const requestSignal = refreshToken === undefined ? signal : new AbortController().signal;
    let issued: IssuedToken;
    try {
      issued = await postTokenRequest(request, oauthDialect, settings, target, requestSignal, emit);
    } catch (err) {
      const refused = isTokenRequestError(err) && err.code === 'refused';
      // RFC 6749 §5.2: invalid_grant means the grant itself is dead (a bad
      // password, a spent or revoked refresh token), for every process.
      const deadGrant = refused && err.error === 'invalid_grant';
      if (refreshToken === undefined && refused) this.#password = undefined;
      const next = deadGrant ? {} : withoutLease(leased);
      await this.#write(version, next, false).catch(() => {});
      // A stored refresh token that is dead, in a process that still holds
      // the password (it never logged in): log in once with it.
      if (deadGrant && refreshToken !== undefined && this.#password !== undefined) {
        return 'log_in_again';
      }
      throw err;
    }
    this.#password = undefined;
    const nextRefresh = issued.refreshToken ?? refreshToken;
    const next: StoredTokens = {
      ...(nextRefresh === undefined ? {} : { refreshToken: nextRefresh }),
      accessToken: issued.value,
      issuedAt: Date.now() - (settings.now() - issued.requestedAt),
      ...(issued.lifetimeMs === undefined ? {} : { lifetimeMs: issued.lifetimeMs }),
    };
    try {
      await this.#write(version, next, true);
    } catch {
      // The token is good: serve it, and store it before anything else is
      // tried (our lease in the record keeps other processes off meanwhile).
      this.#unstored = next;
    }
    return issued;
  }

  /**
   * Writes over the leased record. `mustLand`: this record holds the refresh
   * token the server has just rotated to, so it is written even if a process
   * took over a lease that had run out meanwhile.
   */
  async #write(version: number, data: StoredTokens, mustLand: boolean): Promise<void> {
    const { store, key } = this.o;
    if (await store.compareAndSwap(key, version, data)) return;
    if (!mustLand) return;
    for (let i = 0; i < FORCED_WRITE_TRIES; i++) {
      const current = await store.load(key);
      if (await store.compareAndSwap(key, current?.version ?? 0, data)) return;
    }
    throw new Error('the token store kept changing; the new refresh token could not be stored');
  }
}
