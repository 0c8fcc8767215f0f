import { type Static, Type } from '@sinclair/typebox';

const Seconds = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum });
const Port = Type.Integer({ minimum: 0, maximum: 65535 });

export const ConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    port: Port,
    metricsPort: Type.Optional(Port),
    metricsHost: Type.Optional(Type.String({ minLength: 1 })),
    issuer: Type.Optional(Type.String({ pattern: '^https?://[^\\s?#]+$' })),
    dataDir: Type.String({ minLength: 1 }),
    db: Type.Optional(Type.String({ pattern: '^(sqlite:|postgres://|postgresql://)' })),
    redisUrl: Type.Optional(Type.String({ pattern: '^rediss?://' })),
    trustProxy: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    ),
    profiles: Type.Array(Type.String({ minLength: 1 })),
    accessTokenTtlSeconds: Seconds(1, 86400),
    accessTokenMaxTtlSeconds: Seconds(1, 86400),
    accessTokenMinTtlSeconds: Seconds(1, 86400),
    keyActivationDelaySeconds: Seconds(0, 86400),
    keyPollIntervalSeconds: Type.Number({ minimum: 0.05, maximum: 3600 }),
    clientCacheTtlSeconds: Type.Number({ minimum: 0, maximum: 3600 }),
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 10 * 1024 * 1024 }),
    revocationFeedPageSize: Type.Integer({ minimum: 1, maximum: 10000 }),
    shutdownGraceSeconds: Seconds(0, 600),
    loginExchangeFailuresPerMinute: Type.Integer({ minimum: 1, maximum: 100000 }),
    loginExchangeSuccessesPerMinute: Type.Integer({ minimum: 1, maximum: 100000 }),
    passwordScryptLogN: Type.Integer({ minimum: 10, maximum: 22 }),
    passwordScryptR: Type.Integer({ minimum: 1, maximum: 32 }),
    passwordScryptP: Type.Integer({ minimum: 1, maximum: 16 }),
    passwordMinLength: Type.Integer({ minimum: 1, maximum: 128 }),
    passwordFailuresPerUsername: Type.Integer({ minimum: 1, maximum: 100000 }),
    passwordFailuresPerAddress: Type.Integer({ minimum: 1, maximum: 100000 }),
    passwordFailuresPerUsernamePerAddress: Type.Integer({ minimum: 1, maximum: 100000 }),
    passwordFailureWindowSeconds: Seconds(1, 86400),
    refreshTokenTtlSeconds: Seconds(60, 365 * 86400),
    refreshTokenFamilyMaxSeconds: Seconds(60, 3 * 365 * 86400),
    refreshTokenReuseGraceSeconds: Seconds(0, 300),
    clientTokensPerMinute: Type.Integer({ minimum: 1, maximum: 1000000 }),
    clientAuthFailuresPerMinute: Type.Integer({ minimum: 1, maximum: 1000000 }),
    clientAuthFailuresPerAddressPerMinute: Type.Integer({ minimum: 1, maximum: 1000000 }),
    lastUsedDebounceSeconds: Seconds(0, 86400),
    roles: Type.Record(
      Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$' }),
      Type.Array(Type.String({ minLength: 1 })),
    ),
    patDefaultTtlSeconds: Seconds(60, 10 * 365 * 86400),
  },
  { additionalProperties: false },
);

export type Config = Readonly<Static<typeof ConfigSchema>>;
