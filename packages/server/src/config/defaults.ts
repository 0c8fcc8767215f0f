import { deepFreeze } from '../lib/deep-freeze.js';

/** Every configuration default in one place; units are in the names. Frozen all the way down. */
export const DEFAULTS = deepFreeze({
  host: '127.0.0.1',
  port: 8080,
  // metricsPort: unset, so /metrics is served on `port`; metricsHost: `host`.
  dataDir: './.gridkey',
  logLevel: 'info',
  profiles: [] as string[],
  /** Lifetime of access tokens for clients registered without `--ttl`. */
  accessTokenTtlSeconds: 3600,
  /** No access token lives longer; retired keys stay in the JWKS this long. */
  accessTokenMaxTtlSeconds: 86400,
  /** DESIGN.md: access tokens live 300 s to 86400 s. */
  accessTokenMinTtlSeconds: 300,
  /** A rotated-in key is published this long before it signs (JWKS caches). */
  keyActivationDelaySeconds: 30,
  /** How often a node re-reads signing keys, to see rotations by other nodes or the CLI. */
  keyPollIntervalSeconds: 2,
  /** How long a node trusts a cached client record before re-reading it. */
  clientCacheTtlSeconds: 2,
  bodyLimitBytes: 64 * 1024,
  /** Longest page of the revocation feed. */
  revocationFeedPageSize: 1000,
  shutdownGraceSeconds: 10,
  /** Failed login-token exchanges allowed per minute, per address and per customer. */
  loginExchangeFailuresPerMinute: 20,
  /** Successful exchanges per minute per login token: a client should reuse its 5-minute token. */
  loginExchangeSuccessesPerMinute: 60,
  /** scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, RFC 7914 §2 guidance for interactive logins). */
  passwordScryptLogN: 15,
  passwordScryptR: 8,
  passwordScryptP: 1,
  passwordMinLength: 8,
  /** Failed password logins per address in the window before every login from it gets 429. */
  passwordFailuresPerAddress: 50,
  /** Failed logins per username in the window before its guesses are throttled (never refused outright). */
  passwordFailuresPerUsername: 10,
  /** Once a username is throttled: failures an address may have had for it and still be checked. */
  passwordFailuresPerUsernamePerAddress: 3,
  passwordFailureWindowSeconds: 900,
  // The cap on password hashing (so logins cannot starve the token endpoint; docs/configuration.md).
  /** Password hashes (logins) running at once, each on its own worker thread; more wait. */
  passwordHashConcurrency: 2,
  /** Logins waiting for a hash slot; one more is answered 503 with Retry-After, not queued. */
  passwordHashQueueLength: 32,
  /** A login still waiting for a hash slot after this long is answered 503 (slow hashes, busy CPU). */
  passwordHashQueueTimeoutSeconds: 2,
  /** The Retry-After of that 503. */
  passwordHashRetryAfterSeconds: 1,
  /** Linux: nice value of the hashing threads, so the event loop wins a contended CPU; 0 = the same. */
  passwordHashThreadNice: 19,
  /** Refresh tokens: 30 days from each rotation, never past the family's absolute lifetime. */
  refreshTokenTtlSeconds: 30 * 86400,
  refreshTokenFamilyMaxSeconds: 90 * 86400,
  /** A spent token presented again within this many seconds is refused without revoking its family. Off. */
  refreshTokenReuseGraceSeconds: 0,
  /** Refresh-grant requests a user may make a minute, over all their clients and families. */
  refreshGrantsPerUserPerMinute: 30,
  /**
   * Pruning (docs/operations.md): spent and revoked refresh tokens are kept this
   * long for reuse detection (RFC 9700 §4.14.2), then removed; unused expired ones a minute after their expiry.
   */
  spentRefreshTokenRetentionSeconds: 30 * 86400,
  /** Audit rows older than this are removed. */
  auditRetentionSeconds: 365 * 86400,
  /**
   * Usage counts per client, API key and PAT (docs/operations.md, "Usage"):
   * counted in memory, written every flush interval in one batch, kept per
   * minute, hour and day for these long.
   */
  usageRecording: true,
  usageFlushIntervalMs: 10_000,
  usageMinuteRetentionSeconds: 2 * 86400,
  usageHourRetentionSeconds: 90 * 86400,
  usageDayRetentionSeconds: 730 * 86400,
  /** How often each node prunes, and how much: rows per statement, statements per table and run. */
  pruneIntervalSeconds: 60,
  pruneBatchSize: 1000,
  pruneMaxBatchesPerRun: 100,
  /** client_credentials token requests a client may make a minute, on every path and profile (its own budget wins). */
  clientTokensPerMinute: 60,
  /** Failed client authentications a minute, per client_id and per address, before 429. */
  clientAuthFailuresPerMinute: 20,
  clientAuthFailuresPerAddressPerMinute: 100,
  /** Last-used times are written at most this often per client or API key. */
  lastUsedDebounceSeconds: 60,
  /** Extra or changed roles for PATs: role → scopes (`*` means every scope and the admin API). */
  roles: {} as Record<string, string[]>,
  /** Lifetime of a PAT created without --expires. */
  patDefaultTtlSeconds: 365 * 86400,
  // Database outages (docs/operations.md, "Database outages"): how long a
  // request may wait on PostgreSQL before it is answered 503 with Retry-After.
  /** Longest wait for a PostgreSQL connection: opening one, or a free one while the pool is busy. */
  dbConnectTimeoutMs: 1000,
  /** Longest a PostgreSQL statement may run (statement_timeout; the node gives up 1 s later). 0: none. */
  dbStatementTimeoutMs: 5000,
  /** /readyz answers 503 when the database has not answered `select 1` within this. */
  readyTimeoutMs: 2000,
  /** Connections in a node's PostgreSQL pool (each CLI command opens one too). */
  dbMaxConnections: 10,
  /** A node gives up on a PostgreSQL statement this long after statement_timeout should have cancelled it. */
  dbQueryTimeoutMarginMs: 1000,
  /** The Retry-After of the 503 answered while the database is unavailable. */
  dbUnavailableRetryAfterSeconds: 5,
  /** SQLite: how long a statement waits for another process's lock (busy_timeout) before it fails with a 503. */
  sqliteBusyTimeoutMs: 5000,
  // Redis (redisUrl): while it is unreachable, budgets fall back to each node's memory.
  /** How long a starting node waits for Redis before it serves on local budgets. */
  redisReadyTimeoutMs: 3000,
  /** Longest wait for a connection to Redis to open. */
  redisConnectTimeoutMs: 2000,
  /** Waits between reconnection attempts grow by 200 ms each, up to this. */
  redisReconnectMaxDelayMs: 2000,
  /** Cap on the JWKS Cache-Control max-age (otherwise keyActivationDelaySeconds less the poll interval). */
  jwksMaxAgeSeconds: 300,
  // Bounds on per-node memory: a map that reaches its bound starts afresh.
  /** Client records the token endpoint keeps (clientCacheTtlSeconds). */
  clientCacheMaxEntries: 10_000,
  /** Tokens kept for clients registered with reuse_tokens. */
  tokenReuseCacheMaxEntries: 10_000,
  /** Client and API-key ids whose last write is remembered (lastUsedDebounceSeconds). */
  lastUsedMaxTrackedIds: 100_000,
  /** Repeated refusals of one address on one path within this make one warn line, and how many are remembered. */
  refusalLogRepeatWindowSeconds: 60,
  refusalLogMaxAddresses: 10_000,
});
