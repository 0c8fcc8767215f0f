import type { JWTPayload } from 'jose';

/**
 * Where a PAT is used: gridkey authorises each PAT for the JSON API, the web
 * page, or both (seeds/kostal-sem-access-tokens.txt).
 *
 * @example
 * ```ts
 * import type { PatInterface } from '@gridkey/verify';
 * const on: PatInterface = 'api';
 * ```
 */
export type PatInterface = 'api' | 'web';

/**
 * Options of `createVerifier()`. Every field but `issuer` is optional; the
 * README's table gives the defaults.
 *
 * @example
 * ```ts
 * import type { VerifierOptions } from '@gridkey/verify';
 * const options: VerifierOptions = { issuer: 'https://auth.example.com', audience: 'energy-api' };
 * ```
 */
export interface VerifierOptions {
  /** The issuer identifier (RFC 8414 §2), an http(s) URL; `iss` must equal it exactly. */
  issuer: string;
  /** Access tokens must carry one of these in `aud` (RFC 9068 §4). PATs carry no `aud`. */
  audience?: string | readonly string[];
  /** Default: `jwks_uri` of the issuer's RFC 8414 metadata. */
  jwksUri?: string;
  /** Allowlist of JWS algorithms. Default: the `alg`s of the issuer's JWKS. Never `none` or HS*. */
  algorithms?: readonly string[];
  /** Leeway for `exp` and `nbf`, in seconds. Default 0. */
  clockToleranceSeconds?: number;
  /** Needed for API keys (RFC 7662 introspection with client_secret_basic). */
  introspection?: {
    clientId: string;
    clientSecret: string;
    /** Default: `introspection_endpoint` of the issuer's metadata. */
    endpoint?: string;
    /** How long an introspected API key is trusted without asking again. Default 30000. */
    cacheTtlMs?: number;
    /** Per request. Default 5000. */
    timeoutMs?: number;
  };
  /** The token-state feed (docs/state-feed.md). Default true; `false` turns it off. */
  stateFeed?:
    | boolean
    | {
        /** Default 500. */
        pollMs?: number;
        /** Past this, PATs and API keys are refused (`unavailable`). Default 2000. */
        maxStalenessMs?: number;
        /** Accept access tokens while the feed is stale, up to `failOpenMaxStalenessMs`. */
        failOpen?: boolean;
        /** Default 300000. */
        failOpenMaxStalenessMs?: number;
        /** Default `${issuer}/revocations`. */
        url?: string;
        /** Per request. Default 5000. */
        timeoutMs?: number;
      };
  /** The verified-token cache; `false` turns it off. */
  cache?: { maxEntries?: number } | false;
  /** The JWKS cache. */
  jwks?: {
    /** An unknown `kid` refetches the JWKS at most once per this. Default 30000. */
    cooldownMs?: number;
    /** Refetch a key set older than this. Default 600000. */
    cacheMaxAgeMs?: number;
    /** Per request. Default 5000. */
    timeoutMs?: number;
    /** Keep serving the last good key set this long while refetches fail. Default 86400000. */
    maxStaleMs?: number;
  };
  /** For tests and proxies. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/**
 * Options of one `verify()` call.
 *
 * @example
 * ```ts
 * import type { VerifyOptions } from '@gridkey/verify';
 * const options: VerifyOptions = { scopes: ['readings:read'], interface: 'api' };
 * ```
 */
export interface VerifyOptions {
  /** Every one of these must be granted, else `insufficient_scope`. */
  scopes?: readonly string[];
  /** For PATs: the interface the route belongs to. Default `api`. */
  interface?: PatInterface;
}

/**
 * An RFC 9068 access token that verified.
 *
 * @example
 * ```ts
 * import type { VerifiedAccessToken } from '@gridkey/verify';
 * const who = (t: VerifiedAccessToken) => t.clientId ?? t.subject;
 * ```
 */
export interface VerifiedAccessToken {
  readonly kind: 'access_token';
  readonly subject: string;
  readonly clientId?: string;
  /** From `scope` (space-separated) or, in the Enectiva dialect, `scp` (an array). */
  readonly scopes: readonly string[];
  readonly jti: string;
  /** `exp`, unix seconds. */
  readonly expiresAt: number;
  readonly claims: Readonly<JWTPayload>;
}

/**
 * A personal access token that verified and is authorised for the interface.
 *
 * @example
 * ```ts
 * import type { VerifiedPat } from '@gridkey/verify';
 * const isAdmin = (t: VerifiedPat) => t.role === 'admin';
 * ```
 */
export interface VerifiedPat {
  readonly kind: 'pat';
  /** The PAT's id (`sub`). */
  readonly subject: string;
  readonly name: string;
  readonly role: string;
  readonly scopes: readonly string[];
  readonly jti: string;
  /** `exp`, unix seconds (an authorisation may end it earlier: `verify` checks that). */
  readonly expiresAt: number;
  readonly claims: Readonly<JWTPayload>;
}

/**
 * An API key that introspection found active.
 *
 * @example
 * ```ts
 * import type { VerifiedApiKey } from '@gridkey/verify';
 * const keyId = (t: VerifiedApiKey) => t.subject;
 * ```
 */
export interface VerifiedApiKey {
  readonly kind: 'api_key';
  /** The key's id (`sub` in introspection). */
  readonly subject: string;
  readonly name?: string;
  readonly scopes: readonly string[];
  readonly expiresAt?: number;
}

/**
 * What `verify()` resolves to: frozen, one shape per `kind`.
 *
 * @example
 * ```ts
 * import type { VerifiedToken } from '@gridkey/verify';
 * const label = (t: VerifiedToken) => (t.kind === 'pat' ? t.name : t.subject);
 * ```
 */
export type VerifiedToken = VerifiedAccessToken | VerifiedPat | VerifiedApiKey;

/**
 * The state of the verifier, for a readiness probe or a dashboard.
 *
 * @example
 * ```ts
 * import type { VerifierHealth } from '@gridkey/verify';
 * const ready = (h: VerifierHealth) => h.ok && h.feed.state !== 'stale';
 * ```
 */
export interface VerifierHealth {
  /** Keys loaded and the feed live (or off). */
  ok: boolean;
  feed: {
    state: 'starting' | 'live' | 'stale' | 'off';
    /** The cursor the next poll asks `after`. */
    cursor: string;
    /** Milliseconds since the start of the last poll that read the feed in full. */
    stalenessMs: number | null;
    lastError?: string;
  };
  keys: { kids: string[]; fetchedAt: number | null; lastError?: string };
  cache: { entries: number; hits: number; misses: number };
}

/**
 * Events a verifier emits (node:events semantics). `error` is emitted only
 * while someone listens, so an unhandled `error` event never crashes the process.
 *
 * @example
 * ```ts
 * import type { VerifierEvents } from '@gridkey/verify';
 * const onStale: VerifierEvents['stale'] = (h) => console.warn('feed stale', h.feed.lastError);
 * ```
 */
export interface VerifierEvents {
  /** The feed's staleness passed `maxStalenessMs`. */
  stale: (health: VerifierHealth) => void;
  /** The feed is read in full again (also after the first snapshot). */
  live: (health: VerifierHealth) => void;
  /** A JWKS, metadata, feed or introspection request failed. */
  error: (err: Error) => void;
  /** A key set was loaded. */
  keys: (kids: string[]) => void;
}

/**
 * A token verifier made by `createVerifier()`.
 *
 * @example
 * ```ts
 * import { createVerifier, type Verifier } from '@gridkey/verify';
 * const verifier: Verifier = createVerifier({ issuer: 'https://auth.example.com' });
 * await verifier.ready();
 * ```
 */
export interface Verifier {
  /** Resolves to the verified token, or rejects with a `VerifyError`. */
  verify(token: string, options?: VerifyOptions): Promise<VerifiedToken>;
  /** Metadata, key set and feed snapshot loaded; rejects with `unavailable` otherwise. */
  ready(): Promise<void>;
  health(): VerifierHealth;
  on<E extends keyof VerifierEvents>(event: E, listener: VerifierEvents[E]): this;
  off<E extends keyof VerifierEvents>(event: E, listener: VerifierEvents[E]): this;
  once<E extends keyof VerifierEvents>(event: E, listener: VerifierEvents[E]): this;
  /** Stops polling and aborts requests in flight; later `verify` calls are `unavailable`. */
  close(): Promise<void>;
}
