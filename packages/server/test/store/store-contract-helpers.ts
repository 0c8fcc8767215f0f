/**
 * Shared pieces of the store contract suite (store-contract-*.test.ts): a
 * store per target, opened with `openStore` (so migrated) on a fresh
 * database, and record factories with every field set.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { StoreTarget } from '../../../../test/helpers/stores.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { openStore } from '../../src/store/open-store.js';
import type {
  ApiKeyRecord,
  ClientRecord,
  PatRecord,
  RefreshTokenRecord,
  SigningKeyRecord,
  Store,
  TokenEventRecord,
  UserRecord,
} from '../../src/store/types.js';

/** A fixed instant (unix seconds); the store reads no clock, every time is passed in. */
export const T = 1_800_000_000;

/** Concurrent callers in the race tests (fewer than the PostgreSQL pool's connections). */
export const RACERS = 8;

export const uid = (prefix = 'x'): string => `${prefix}-${randomBytes(6).toString('hex')}`;

/** Opens a migrated store on a fresh database of the target's kind. */
export async function openFresh(
  target: StoreTarget,
): Promise<{ store: KyselyStore; close(): Promise<void> }> {
  const { dbUrl, cleanup } = await target.create();
  const store = await openStore(dbUrl);
  let closed = false;
  return {
    store,
    async close() {
      if (!closed) await store.close().catch(() => {});
      closed = true;
      await cleanup();
    },
  };
}

/**
 * A store for the enclosing describe block: one for all its tests (`all`;
 * tests then keep to their own ids), or a fresh one per test (`each`, for
 * methods that act on the whole table).
 */
export function useStore(target: StoreTarget, scope: 'all' | 'each' = 'all'): () => KyselyStore {
  let opened: Awaited<ReturnType<typeof openFresh>> | undefined;
  const open = async () => {
    opened = await openFresh(target);
  };
  const close = async () => {
    await opened?.close();
    opened = undefined;
  };
  if (scope === 'all') {
    beforeAll(open);
    afterAll(close);
  } else {
    beforeEach(open);
    afterEach(close);
  }
  return () => {
    if (opened === undefined) throw new Error('store not open');
    return opened.store;
  };
}

/** Everything the token-state feed gained since `cursor`, at `now` (default: T). */
export async function eventsSince(
  store: Store,
  cursor: number,
  now = T,
): Promise<TokenEventRecord[]> {
  return store.tokenEvents.listAfter(cursor, now, 10_000);
}

/** The jtis the revocation feed holds after `cursor`, still unexpired at `now`. */
export async function revokedJtisSince(store: Store, cursor: number, now = T): Promise<string[]> {
  return (await store.revocations.listAfter(cursor, now, 10_000)).map((r) => r.jti);
}

/** The revocation feed's current last seq (0 when empty), read through listAfter. */
export async function revocationCursor(store: Store): Promise<number> {
  const all = await store.revocations.listAfter(0, Number.MIN_SAFE_INTEGER, 1_000_000);
  return all.at(-1)?.seq ?? 0;
}

/** Keeps the items whose key is in `keys`, in the order the store listed them. */
export function only<R>(items: readonly R[], key: (r: R) => string, keys: readonly string[]): R[] {
  const wanted = new Set(keys);
  return items.filter((r) => wanted.has(key(r)));
}

export function client(over: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId: uid('client'),
    name: 'Meter reader',
    secretHash: 'scrypt$secret-hash',
    authMethod: 'client_secret_post',
    grantTypes: ['client_credentials', 'refresh_token'],
    scopes: ['meter:read', 'meter:write'],
    audiences: ['https://api.example', 'https://other.example'],
    accessTokenTtlSeconds: 900,
    createdAt: T,
    updatedAt: T + 1,
    tokenBudgetPerMinute: 120,
    reuseTokens: true,
    deprecatedAt: T + 100,
    sunsetAt: T + 200,
    lastUsedAt: T + 2,
    resourceServer: true,
    ...over,
  };
}

/** A client with every optional field empty, null or false. */
export function bareClient(over: Partial<ClientRecord> = {}): ClientRecord {
  return client({
    authMethod: 'client_secret_basic',
    grantTypes: [],
    scopes: [],
    audiences: [],
    accessTokenTtlSeconds: null,
    tokenBudgetPerMinute: null,
    reuseTokens: false,
    deprecatedAt: null,
    sunsetAt: null,
    lastUsedAt: null,
    resourceServer: false,
    ...over,
  });
}

export function apiKey(over: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const id = over.id ?? uid('key');
  return {
    id,
    name: 'Billing export',
    keyHash: `hash-${id}`,
    keyPrefix: 'gk_ab12',
    keyLast4: 'wxyz',
    scopes: ['billing:read', 'meter:read'],
    createdAt: T,
    expiresAt: T + 3600,
    revokedAt: null,
    lastUsedAt: null,
    ...over,
  };
}

export function signingKey(over: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  const kid = over.kid ?? uid('kid');
  return {
    kid,
    alg: 'ES256',
    number: null,
    publicJwk: JSON.stringify({ kty: 'EC', crv: 'P-256', kid }),
    privateKeyEnc: `iv.tag.${kid}`,
    createdAt: T,
    activeFrom: T,
    retiredAt: null,
    publishedUntil: null,
    ...over,
  };
}

export function pat(over: Partial<PatRecord> = {}): PatRecord {
  const id = over.id ?? uid('pat');
  return {
    id,
    name: 'Deploy bot',
    role: 'operator',
    scopes: ['admin:read', 'admin:write'],
    tokenHash: `hash-${id}`,
    jti: `jti-${id}`,
    createdAt: T,
    expiresAt: T + 86_400,
    authorisedApi: false,
    authorisedWeb: false,
    authorisedAt: null,
    authorisedUntil: null,
    revokedAt: null,
    lastUsedAt: null,
    ...over,
  };
}

export function user(over: Partial<UserRecord> = {}): UserRecord {
  const id = over.id ?? uid('user');
  const email = over.email ?? `${id}@example.com`;
  return {
    id,
    email,
    emailSkeleton: email,
    passwordHash: `argon2id$${id}`,
    createdAt: T,
    updatedAt: T,
    disabledAt: null,
    ...over,
  };
}

export function refreshToken(over: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  const id = over.id ?? uid('rt');
  return {
    id,
    tokenHash: `hash-${id}`,
    familyId: uid('family'),
    clientId: 'client-a',
    userId: 'user-a',
    scopes: ['openid', 'meter:read'],
    authTime: T - 10,
    createdAt: T,
    expiresAt: T + 3600,
    familyExpiresAt: T + 86_400,
    spentAt: null,
    revokedAt: null,
    ...over,
  };
}

/** The successor of a refresh token in its family. */
export function successor(
  of: RefreshTokenRecord,
  over: Partial<RefreshTokenRecord> = {},
): RefreshTokenRecord {
  return refreshToken({
    familyId: of.familyId,
    clientId: of.clientId,
    userId: of.userId,
    scopes: of.scopes,
    authTime: of.authTime,
    familyExpiresAt: of.familyExpiresAt,
    ...over,
  });
}

/** An access token's jti and exp, for the `access` arguments. */
export const access = (exp = T + 300) => ({ jti: uid('at'), exp });
