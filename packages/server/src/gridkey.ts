import { AuditLog } from './audit/audit-log.js';
import { ClientCache } from './clients/client-cache.js';
import { ClientRegistry } from './clients/client-registry.js';
import { issuerOf } from './config/issuer.js';
import type { Config } from './config/schema.js';
import { UsageError } from './errors.js';
import { GridkeyEventBus } from './events.js';
import { GRANT_TYPES } from './grants/index.js';
import { KeyRing } from './keys/key-ring.js';
import { type Clock, systemClock } from './lib/clock.js';
import { type DerivedKeys, deriveKeys } from './secrets/derived-keys.js';
import { loadMasterKey } from './secrets/master-key.js';
import { VerifiedSecretMemo } from './secrets/verified-secret-memo.js';
import { openStore, resolveDatabaseUrl } from './store/open-store.js';
import type { Store } from './store/types.js';
import { ApiKeys } from './tokens/api-keys.js';
import { LoginTokens } from './tokens/login-tokens.js';
import { Pats } from './tokens/pats.js';
import { Users } from './users/users.js';

/** Everything a node (server or CLI command) works with, opened once. */
export interface Gridkey {
  readonly config: Config;
  readonly store: Store;
  readonly secrets: DerivedKeys;
  readonly keys: KeyRing;
  readonly clients: ClientRegistry;
  readonly clientCache: ClientCache;
  /** Checks the secrets clients present, remembering (in memory) the ones that matched. */
  readonly clientSecrets: VerifiedSecretMemo;
  readonly loginTokens: LoginTokens;
  readonly users: Users;
  readonly apiKeys: ApiKeys;
  readonly pats: Pats;
  readonly audit: AuditLog;
  readonly events: GridkeyEventBus;
  readonly clock: Clock;
  close(): Promise<void>;
}

const MASTER_KEY_CHECK = 'master_key_check';

/**
 * Opens the store (running migrations), loads the master key and checks it
 * against the one this database was created with, and loads the signing keys
 * (creating the first ones if `ensureKeys`).
 */
export async function openGridkey(
  config: Config,
  options: { env?: NodeJS.ProcessEnv; clock?: Clock; ensureKeys?: boolean } = {},
): Promise<Gridkey> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const store = await openStore(resolveDatabaseUrl(config), {
    postgres: {
      maxConnections: config.dbMaxConnections,
      connectTimeoutMs: config.dbConnectTimeoutMs,
      statementTimeoutMs: config.dbStatementTimeoutMs,
      queryTimeoutMarginMs: config.dbQueryTimeoutMarginMs,
    },
    sqlite: { busyTimeoutMs: config.sqliteBusyTimeoutMs },
  });
  try {
    const storedCheck = await store.meta.get(MASTER_KEY_CHECK);
    const master = loadMasterKey({
      env,
      dataDir: config.dataDir,
      create: storedCheck === undefined,
    });
    if (master === undefined) {
      throw new UsageError(
        `this database was set up with a master key that is not here: set GRIDKEY_MASTER_KEY or --data-dir to the directory holding master.key`,
      );
    }
    const secrets = deriveKeys(master);
    const check = await store.meta.setIfAbsent(MASTER_KEY_CHECK, secrets.checkValue);
    if (check !== secrets.checkValue) {
      throw new UsageError('the master key does not match the one this database was set up with');
    }
    const users = new Users({
      store,
      clock,
      policy: {
        scrypt: {
          logN: config.passwordScryptLogN,
          r: config.passwordScryptR,
          p: config.passwordScryptP,
        },
        minPasswordLength: config.passwordMinLength,
        hashing: {
          maxInFlight: config.passwordHashConcurrency,
          maxQueued: config.passwordHashQueueLength,
          maxWaitSeconds: config.passwordHashQueueTimeoutSeconds,
          retryAfterSeconds: config.passwordHashRetryAfterSeconds,
          threadNice: config.passwordHashThreadNice,
        },
      },
    });
    const keys = new KeyRing({
      store,
      keyEncryptionKey: secrets.keyEncryptionKey,
      clock,
      maxTokenTtlSeconds: config.accessTokenMaxTtlSeconds,
      pollIntervalMs: config.keyPollIntervalSeconds * 1000,
      onBadKey: (kid, err) =>
        process.emitWarning(`signing key ${kid} left out: ${(err as Error).message}`),
    });
    if (options.ensureKeys) await keys.ensureKeys();
    else await keys.refresh();
    const events = new GridkeyEventBus();
    return {
      config,
      store,
      secrets,
      keys,
      clients: new ClientRegistry({
        store,
        pepper: secrets.pepper,
        clock,
        ttlBounds: { min: config.accessTokenMinTtlSeconds, max: config.accessTokenMaxTtlSeconds },
        grantTypes: GRANT_TYPES,
      }),
      loginTokens: new LoginTokens({ store, pepper: secrets.pepper, clock }),
      apiKeys: new ApiKeys({ store, pepper: secrets.pepper, clock, events }),
      pats: new Pats({
        store,
        pepper: secrets.pepper,
        clock,
        keys,
        settings: {
          issuer: issuerOf(config),
          roles: config.roles,
          defaultTtlSeconds: config.patDefaultTtlSeconds,
          lastUsedDebounceSeconds: config.lastUsedDebounceSeconds,
        },
        events,
      }),
      audit: new AuditLog({ store, clock }),
      users,
      clientCache: new ClientCache({
        store,
        clock,
        ttlMs: config.clientCacheTtlSeconds * 1000,
        maxEntries: config.clientCacheMaxEntries,
      }),
      clientSecrets: new VerifiedSecretMemo(secrets.pepper),
      events,
      clock,
      async close() {
        keys.stop();
        await users.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
}
