import { VerifyError } from '../errors.js';
import type { VerifiedApiKey } from '../types.js';
import { fetchJson, isObject } from './fetch-json.js';
import { LruCache, tokenDigest } from './token-cache.js';

export interface IntrospectorOptions {
  clientId: string;
  clientSecret: string;
  endpoint: () => Promise<string>;
  fetch: typeof fetch;
  signal: AbortSignal;
  timeoutMs: number;
  cacheTtlMs: number;
  maxEntries: number;
  /** The feed said this key is revoked: its answer is not cached. */
  isRevoked: (keyId: string) => boolean;
  onError: (err: Error) => void;
}

interface Entry {
  token: VerifiedApiKey;
  /** Epoch ms after which we ask again. */
  until: number;
  /** The feed revoked it: refused without asking, until the entry is evicted. */
  revoked: boolean;
}

/** RFC 6749 Appendix B: form-urlencoding, as §2.3.1 requires inside Basic credentials. */
const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2);

function apiKeyOf(body: unknown): VerifiedApiKey {
  if (!isObject(body))
    throw new VerifyError('unavailable', 'introspection answered no JSON object');
  // RFC 7662 §2.2: an inactive answer says only that; it may be unknown, revoked or expired.
  if (body.active !== true) throw new VerifyError('not_authorised', 'the API key is not active');
  if (body.token_type !== 'api_key') throw new VerifyError('wrong_type', 'the token is no API key');
  const { sub, scope, name, exp } = body;
  if (typeof sub !== 'string' || sub === '') {
    throw new VerifyError('unavailable', 'introspection answered without a sub');
  }
  const scopes = typeof scope === 'string' ? [...new Set(scope.split(' ').filter(Boolean))] : [];
  return Object.freeze({
    kind: 'api_key',
    subject: sub,
    ...(typeof name === 'string' ? { name } : {}),
    scopes: Object.freeze(scopes),
    ...(typeof exp === 'number' ? { expiresAt: exp } : {}),
  });
}

/**
 * API keys are opaque: gridkey's introspection endpoint (RFC 7662) says
 * whether one is active. Answers are kept for `cacheTtlMs`, by the key's
 * digest. The feed's `api_key.revoked` turns them into tombstones at once
 * (refused with no request), and an answer that arrives after that event is
 * kept only as a tombstone. Concurrent look-ups of one key share one request.
 */
export class ApiKeyIntrospector {
  private readonly cache: LruCache<Entry>;
  private readonly inflight = new Map<string, Promise<VerifiedApiKey>>();

  constructor(private readonly options: IntrospectorOptions) {
    this.cache = new LruCache(Math.max(1, options.maxEntries));
  }

  get entries(): number {
    return this.cache.size;
  }

  /** `api_key.revoked`: every answer about this key becomes a refusal. */
  forget(keyId: string): void {
    this.cache.forEach((e) => {
      if (e.token.subject === keyId) e.revoked = true;
    });
  }

  lookup(key: string): Promise<VerifiedApiKey> {
    const digest = tokenDigest(key);
    const hit = this.cache.get(digest);
    if (hit?.revoked === true) {
      return Promise.reject(new VerifyError('revoked', 'the API key is revoked'));
    }
    if (hit !== undefined && hit.until > Date.now()) return Promise.resolve(hit.token);
    if (hit !== undefined) this.cache.delete(digest);
    const pending = this.inflight.get(digest);
    if (pending !== undefined) return pending;
    const started = Date.now();
    const request = this.introspect(key)
      .then((token) => {
        // An answer that left the server before the key's revocation is refused, and stays so.
        const revoked = this.options.isRevoked(token.subject);
        this.cache.set(digest, { token, until: started + this.options.cacheTtlMs, revoked });
        if (revoked) throw new VerifyError('revoked', 'the API key is revoked');
        return token;
      })
      .finally(() => this.inflight.delete(digest));
    this.inflight.set(digest, request);
    return request;
  }

  private async introspect(key: string): Promise<VerifiedApiKey> {
    const { clientId, clientSecret } = this.options;
    const credentials = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
    let body: unknown;
    try {
      body = await fetchJson(await this.options.endpoint(), {
        fetch: this.options.fetch,
        timeoutMs: this.options.timeoutMs,
        signal: this.options.signal,
        method: 'POST',
        headers: {
          // RFC 7662 §2.1 with client_secret_basic (RFC 6749 §2.3.1).
          authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: `token=${formEncode(key)}`,
      });
    } catch (err) {
      if (err instanceof VerifyError) throw err;
      this.options.onError(err instanceof Error ? err : new Error('introspection failed'));
      throw new VerifyError('unavailable', 'the API key cannot be checked right now', {
        cause: err,
      });
    }
    return apiKeyOf(body);
  }
}
