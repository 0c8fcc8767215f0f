/** Every configuration default in one place; units are in the names. */
export const DEFAULTS = Object.freeze({
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
  /** Refresh tokens: 30 days from each rotation, never past the family's absolute lifetime. */
  refreshTokenTtlSeconds: 30 * 86400,
  refreshTokenFamilyMaxSeconds: 90 * 86400,
  /** A spent token presented again within this many seconds is refused without revoking its family. Off. */
  refreshTokenReuseGraceSeconds: 0,
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
});
