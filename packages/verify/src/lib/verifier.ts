import { EventEmitter } from 'node:events';
import { isVerifyError, VerifyError } from '../errors.js';
import type {
  VerifiedApiKey,
  VerifiedToken,
  Verifier,
  VerifierEvents,
  VerifierHealth,
  VerifierOptions,
  VerifyOptions,
} from '../types.js';
import { API_KEY_PREFIX, isWellFormedApiKey } from './api-key-format.js';
import { checkCallOptions } from './call-options.js';
import { IssuerEndpoints } from './discovery.js';
import type { FeedEvent } from './feed-events.js';
import { HeaderChecker } from './header-checks.js';
import { ApiKeyIntrospector } from './introspection.js';
import { JwksCache } from './jwks-cache.js';
import { checkOptions, type Settings } from './options.js';
import {
  type CallOptions,
  checkApiKeyState,
  checkJwtState,
  type StateView,
} from './state-checks.js';
import { StateFeed } from './state-feed.js';
import { StringPool } from './string-pool.js';
import { TokenCache } from './token-cache.js';
import { TokenState } from './token-state.js';
import { type JwtCheckSettings, type VerifiedJwt, verifyJwt } from './verify-jwt.js';

/** Internal to the adapters: not part of the published types. */
export const verifyCachedSync = Symbol('gridkey.verifyCachedSync');

/** The implementation behind `createVerifier()`; see types.ts for the contract. */
export class GridkeyVerifier extends EventEmitter implements Verifier {
  private readonly settings: Readonly<Settings>;
  private readonly abort = new AbortController();
  private readonly endpoints: IssuerEndpoints;
  private readonly jwks: JwksCache;
  private readonly feed: StateFeed | undefined;
  private readonly state = new TokenState();
  private readonly cache: TokenCache<VerifiedJwt>;
  private readonly introspector: ApiKeyIntrospector | undefined;
  private readonly view: StateView;
  private readonly pool = new StringPool();
  private readonly headers = new HeaderChecker();
  /** One object for every call, so that jose's options are built once (verify-jwt.ts). */
  private readonly jwtSettings: JwtCheckSettings;
  private closed = false;

  constructor(options: VerifierOptions) {
    super();
    const settings = checkOptions(options);
    this.settings = settings;
    const { fetch } = settings;
    const { signal } = this.abort;
    const onError = (err: Error) => this.reportError(err);
    this.endpoints = new IssuerEndpoints(settings, signal);
    this.jwks = new JwksCache({
      uri: () => this.endpoints.jwksUri(),
      fetch,
      signal,
      ...settings.jwks,
      onKeys: (kids) => this.emit('keys', kids),
      onError,
    });
    this.cache = new TokenCache(settings.maxEntries);
    const { introspection } = settings;
    this.introspector =
      introspection === undefined
        ? undefined
        : new ApiKeyIntrospector({
            ...introspection,
            endpoint: () => this.endpoints.introspectionEndpoint(),
            fetch,
            signal,
            maxEntries: Math.max(1, settings.maxEntries),
            isRevoked: (id) => this.state.isRevokedKey(id),
            onError,
          });
    this.feed =
      settings.feed === undefined
        ? undefined
        : new StateFeed({
            ...settings.feed,
            fetch,
            signal,
            apply: (events) => this.apply(events),
            reset: () => this.state.forgetPatStates(),
            // A token is accepted up to the clock tolerance past its exp: so
            // long, what the feed said of it must be kept.
            prune: (now) => {
              this.state.prune(now - settings.clockToleranceSeconds);
              this.jwks.prune(now - settings.clockToleranceSeconds);
            },
            onStatus: (status) => this.emit(status, this.health()),
            onError,
          });
    this.view = {
      feed: this.feed,
      failOpen: settings.feed?.failOpen ?? false,
      state: this.state,
      jwks: this.jwks,
      clockToleranceSeconds: settings.clockToleranceSeconds,
    };
    this.jwtSettings = {
      issuer: settings.issuer,
      audience: settings.audience,
      clockToleranceSeconds: settings.clockToleranceSeconds,
      pool: this.pool,
    };
    this.feed?.start();
    this.jwks.load().catch(() => {});
  }

  async ready(): Promise<void> {
    if (this.closed) throw closedError();
    await this.jwks.load();
    if (this.introspector !== undefined) {
      await this.endpoints.introspectionEndpoint().catch((err: unknown) => {
        throw new VerifyError('unavailable', 'the introspection endpoint is unknown', {
          cause: err,
        });
      });
    }
    if (this.feed !== undefined) {
      await this.feed.firstAttempt();
      if (this.feed.status() !== 'live') {
        throw new VerifyError('unavailable', 'the token-state feed could not be read');
      }
    }
  }

  /**
   * A cached token that passes every check, synchronously; undefined for
   * anything else (a miss, a refusal, an API key), which `verify` then
   * handles in full. Lets an adapter answer the common case without a tick.
   */
  [verifyCachedSync](token: string, call: CallOptions): VerifiedToken | undefined {
    if (this.closed || token === '' || token.startsWith(API_KEY_PREFIX)) return undefined;
    const hit = this.cache.peek(this.cache.keyOf(token));
    if (hit === undefined) return undefined;
    try {
      checkJwtState(hit, call, this.view, Date.now());
    } catch {
      return undefined;
    }
    return hit.token;
  }

  async verify(token: string, options?: VerifyOptions): Promise<VerifiedToken> {
    const call = checkCallOptions(options);
    if (typeof token !== 'string') throw new TypeError('token must be a string');
    if (this.closed) throw closedError();
    if (token === '') throw new VerifyError('missing_token', 'no token was presented');
    if (token.startsWith(API_KEY_PREFIX)) return this.verifyApiKey(token, call);
    const key = this.cache.keyOf(token);
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      try {
        const pending = this.checkState(hit, call);
        if (pending !== undefined) await pending;
      } catch (err) {
        // Expiry and a removed key are final: the entry goes.
        const code = (err as VerifyError).code;
        if (code === 'expired' || code === 'unknown_key') this.cache.delete(key);
        throw err;
      }
      return hit.token;
    }
    if (!this.jwks.isFresh()) await this.jwks.load();
    if (this.feed !== undefined && !this.feed.attempted) await this.feed.firstAttempt();
    const algorithms = this.settings.algorithms ?? this.jwks.algorithms();
    const checked = this.headers.check(token, algorithms);
    const signingKey = this.jwks.keyFor(checked.header);
    const entry = await verifyJwt(token, checked, signingKey, algorithms, this.jwtSettings);
    if (!this.jwks.isRemoved(entry.kid)) this.cache.set(key, entry);
    const pending = this.checkState(entry, call);
    if (pending !== undefined) await pending;
    return entry.token;
  }

  /**
   * The state checks of every call. A PAT refused as not authorised gets one
   * more look at the feed first: it may have been authorised a moment ago.
   */
  private checkState(entry: VerifiedJwt, call: CallOptions): undefined | Promise<void> {
    try {
      checkJwtState(entry, call, this.view, Date.now());
      // The common case stays synchronous: a cache hit costs no extra tick.
      return undefined;
    } catch (err) {
      const { feed } = this;
      if (feed === undefined || !isVerifyError(err, 'not_authorised')) throw err;
      return feed.catchUp().then(() => checkJwtState(entry, call, this.view, Date.now()));
    }
  }

  health(): VerifierHealth {
    const now = Date.now();
    const keys = this.jwks.health();
    const feed = this.feed?.health(now) ?? {
      state: 'off' as const,
      cursor: '0',
      stalenessMs: null,
    };
    return {
      ok:
        !this.closed && keys.fetchedAt !== null && (feed.state === 'live' || feed.state === 'off'),
      feed,
      keys,
      cache: { entries: this.cache.entries, hits: this.cache.hits, misses: this.cache.misses },
    };
  }

  override on<E extends keyof VerifierEvents>(event: E, listener: VerifierEvents[E]): this {
    return super.on(event, listener);
  }

  override off<E extends keyof VerifierEvents>(event: E, listener: VerifierEvents[E]): this {
    return super.off(event, listener);
  }

  override once<E extends keyof VerifierEvents>(event: E, listener: VerifierEvents[E]): this {
    return super.once(event, listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feed?.close();
    this.abort.abort();
    this.cache.clear();
  }

  private async verifyApiKey(key: string, call: CallOptions): Promise<VerifiedApiKey> {
    // Checked offline first: a mistyped or made-up key costs no request.
    if (!isWellFormedApiKey(key)) throw new VerifyError('malformed', 'the API key is malformed');
    if (this.introspector === undefined) {
      throw new VerifyError(
        'unavailable',
        'API keys cannot be checked: introspection is not set up',
      );
    }
    if (this.feed !== undefined) {
      await this.feed.firstAttempt();
      if (this.feed.status() !== 'live') {
        throw new VerifyError(
          'unavailable',
          'the API key cannot be checked: the state feed is stale',
        );
      }
    }
    const token = await this.introspector.lookup(key);
    checkApiKeyState(token, call, this.view, Date.now());
    return token;
  }

  private apply(events: readonly FeedEvent[]): void {
    for (const event of events) {
      this.state.apply(event);
      if (event.type === 'api_key.revoked') this.introspector?.forget(event.keyId);
      if (event.type === 'signing_key.removed') {
        this.jwks.remove(event.kid, event.exp);
        this.cache.deleteWhere((entry) => entry.kid === event.kid);
      }
    }
  }

  private reportError(err: Error): void {
    // An 'error' event with no listener would throw: emit it only to someone listening.
    if (!this.closed && this.listenerCount('error') > 0) this.emit('error', err);
  }
}

const closedError = () => new VerifyError('unavailable', 'the verifier is closed');
