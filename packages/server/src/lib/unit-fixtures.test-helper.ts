import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, type JWK } from 'jose';
import { afterEach } from 'vitest';
import { GridkeyEventBus, type GridkeyEvents } from '../events.js';
import type { SigningKeySource, VerificationKeySource } from '../keys/key-ring.js';
import { openSigningKey, type SigningAlgorithm, sealSigningKey } from '../keys/signing-key.js';
import type { KyselyStore } from '../store/kysely-store.js';
import { openSqliteStore } from '../store/sqlite/open-sqlite.js';
import type { ClientRecord, UserRecord } from '../store/types.js';
import type { Clock } from './clock.js';

/**
 * Real parts for the unit tests beside grants and token kinds: a real ES256
 * key, a clock that moves when told, a real SQLite store in a temporary
 * directory, and a real event bus that records what was emitted. Each test
 * builds only the parts its unit's `…Deps` names.
 */

/** A clock at a fixed instant (seconds), moved by `advance`. */
export function steppingClock(startSeconds = 1_800_000_000): Clock & {
  advance(seconds: number): void;
} {
  let ms = startSeconds * 1000;
  return {
    now: () => ms,
    advance(seconds) {
      ms += seconds * 1000;
    },
  };
}

/** One ES256 key that signs and verifies, as a key ring would give it. */
export function es256Keys(): SigningKeySource & VerificationKeySource & { kid: string } {
  return signingKeys('ES256');
}

/**
 * One key of `alg` (PATs sign with RS256) that signs and verifies, as a key
 * ring would give it; like the ring, asking for another algorithm throws.
 */
export function signingKeys(
  alg: SigningAlgorithm,
): SigningKeySource & VerificationKeySource & { kid: string } {
  const kek = randomBytes(32);
  // Made here at once, so that a test module can build its keys at load time.
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const record = sealSigningKey({ alg, ...pair }, kek, { now: 0, activeFrom: 0 });
  const opened = openSigningKey(record, kek);
  const jwks = createLocalJWKSet({ keys: [opened.publicJwk as JWK] });
  return {
    kid: record.kid,
    signingKey: (wanted) => {
      if (wanted !== alg) throw new Error(`no active ${wanted} signing key`);
      return { kid: record.kid, number: 7, alg, key: opened.privateKey };
    },
    verificationKeys: () => jwks,
  };
}

/** A migrated SQLite store in a fresh directory; `close` removes it. */
export async function temporaryStore(): Promise<KyselyStore & { dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gridkey-unit-'));
  const store = await openSqliteStore(join(dir, 'unit.db'));
  return Object.assign(store, {
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/**
 * A fresh store for each test that asks for one, disposed after the test.
 * Call it in the `describe` body; call what it returns inside the test.
 */
export function storePerTest(): () => Promise<Awaited<ReturnType<typeof temporaryStore>>> {
  let current: Awaited<ReturnType<typeof temporaryStore>> | undefined;
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return async () => {
    current = await temporaryStore();
    return current;
  };
}

/** A real event bus that keeps what was emitted. */
export function recordingEvents() {
  const bus = new GridkeyEventBus();
  const issued: GridkeyEvents['token.issued'][0][] = [];
  const revoked: GridkeyEvents['token.revoked'][0][] = [];
  bus.on('token.issued', (event) => issued.push(event));
  bus.on('token.revoked', (event) => revoked.push(event));
  return { bus, issued, revoked };
}

/** Request parameters as the form parser hands them to a grant. */
export function params(fields: Record<string, string>) {
  return {
    get: (name: string) => (fields[name] === '' ? undefined : fields[name]),
    require(name: string): string {
      const value = fields[name];
      if (value === undefined || value === '') throw new Error(`missing ${name}`);
      return value;
    },
  };
}

/** A client record as the registry stores it; `overrides` change any field. */
export function clientRecord(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId: '0123456789abcdef0123456789abcdef',
    name: 'unit',
    secretHash: '0'.repeat(64),
    authMethod: 'client_secret_basic',
    grantTypes: ['client_credentials', 'password', 'refresh_token'],
    scopes: ['meter:read', 'meter:write'],
    audiences: [],
    accessTokenTtlSeconds: null,
    createdAt: 1_700_000_000,
    updatedAt: 1_700_000_000,
    tokenBudgetPerMinute: null,
    reuseTokens: false,
    deprecatedAt: null,
    sunsetAt: null,
    lastUsedAt: null,
    resourceServer: false,
    ...overrides,
  };
}

/** A user record as the store holds it (ann@example.com, id `u-1`); `overrides` change any field. */
export function userRecord(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: 'u-1',
    email: 'ann@example.com',
    emailSkeleton: 'ann@example.com',
    passwordHash: 'x',
    createdAt: 0,
    updatedAt: 0,
    disabledAt: null,
    ...overrides,
  };
}
