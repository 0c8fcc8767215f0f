import { Type } from '@sinclair/typebox';

/** Request bodies of the admin API: validated by Fastify and published in the OpenAPI document. */
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Scope = Type.String({ maxLength: 2000, description: 'space-separated scopes' });
// Checked by the operation, so that a bad one is refused as `customer_uuid must be a UUID`.
const Uuid = Type.String({ maxLength: 100, description: 'a UUID, any case (stored lower case)' });
const IsoTime = Type.String({
  format: 'date-time',
  description: 'ISO 8601 date-time in the future',
});

export const CreatePatBody = Type.Object(
  {
    name: Name,
    role: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$' }),
    scope: Type.Optional(Scope),
    expires: Type.Optional(IsoTime),
  },
  { additionalProperties: false },
);
/** A missing boolean is false; at least one must be true. */
export const AuthorisePatBody = Type.Object(
  {
    api: Type.Optional(Type.Boolean({ description: 'the JSON API; default false' })),
    web: Type.Optional(Type.Boolean({ description: 'the web page; default false' })),
    expires: Type.Optional(IsoTime),
  },
  { additionalProperties: false },
);
export const CreateClientBody = Type.Object(
  {
    name: Name,
    scope: Type.Optional(Scope),
    grants: Type.Optional(Type.String({ maxLength: 200 })),
    auth: Type.Optional(
      Type.Union([Type.Literal('client_secret_basic'), Type.Literal('client_secret_post')]),
    ),
    ttl: Type.Optional(Type.Integer({ minimum: 1 })),
    audience: Type.Optional(Scope),
    resource_server: Type.Optional(
      Type.Boolean({
        description: 'RFC 7662 §4: may introspect every token, not only its own',
      }),
    ),
    token_budget: Type.Optional(
      Type.Integer({ minimum: 1, description: 'client_credentials token requests a minute' }),
    ),
    reuse_tokens: Type.Optional(
      Type.Boolean({ description: 'answer repeated requests with the still-valid token' }),
    ),
  },
  { additionalProperties: false },
);
export const UpdateClientBody = Type.Object(
  {
    token_budget: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
        description: 'token requests a minute; null: the server default',
      }),
    ),
    reuse_tokens: Type.Optional(Type.Boolean()),
    deprecated: Type.Optional(
      Type.Boolean({ description: 'token responses carry Deprecation (and Sunset) headers' }),
    ),
    sunset: Type.Optional(
      Type.String({ maxLength: 64, description: 'with deprecated: true, ISO 8601' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const CreateUserBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export const CreateLoginTokenBody = Type.Object(
  {
    customer_uuid: Uuid,
    subject_uuid: Type.Optional(Uuid),
    scope: Type.Optional(Scope),
    expires: Type.Optional(IsoTime),
  },
  { additionalProperties: false },
);
export const CreateApiKeyBody = Type.Object(
  { name: Name, scope: Type.Optional(Scope), expires: Type.Optional(IsoTime) },
  { additionalProperties: false },
);
// No id holds U+0000, and PostgreSQL text cannot: the look-up would fail (500).
export const IdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000]+$' }),
});
export const JtiParams = Type.Object({
  jti: Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' }),
});
/** An audit search term: matched as a substring, ignoring ASCII case; no U+0000 (PostgreSQL text cannot hold it). */
const AuditText = (description: string) =>
  Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000]+$', description });
export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    // Within a PostgreSQL bigint (and exact in JavaScript).
    before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    actor: Type.Optional(AuditText('the actor contains this (`pat:<id> (<name>)`, `cli:…`)')),
    action: Type.Optional(AuditText('the action contains this (`pat.`, `client.rotate_secret`)')),
    target: Type.Optional(AuditText('the target (an id) contains this')),
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'entries at or after this ISO 8601 time' }),
    ),
    until: Type.Optional(
      Type.String({ format: 'date-time', description: 'entries at or before this ISO 8601 time' }),
    ),
    outcome: Type.Optional(
      Type.Union([Type.Literal('ok'), Type.Literal('refused'), Type.Literal('failed')], {
        description: 'entries with exactly this outcome',
      }),
    ),
  },
  { additionalProperties: false },
);
export const SetUserPasswordBody = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
/** `GET /admin/api/login-tokens?customer_uuid=…`: one customer's, as `login-token list --customer`. */
export const LoginTokenListQuery = Type.Object(
  { customer_uuid: Type.Optional(Uuid) },
  { additionalProperties: false },
);

const Instant = (description: string) => Type.String({ minLength: 1, maxLength: 40, description });
const Granularity = Type.Union(
  [Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day')],
  { description: 'bucket width; default hour' },
);
const UsageRangeFields = {
  since: Type.Optional(
    Instant('ISO 8601 date-time or unix seconds; default a window before until'),
  ),
  until: Type.Optional(Instant('ISO 8601 date-time or unix seconds, inclusive; default now')),
  granularity: Type.Optional(Granularity),
};
/** `GET /admin/api/usage`: one credential's buckets, a kind's, or every credential's. */
export const UsageQuery = Type.Object(
  {
    kind: Type.Optional(
      Type.Union([Type.Literal('client'), Type.Literal('api_key'), Type.Literal('pat')]),
    ),
    id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        pattern: '^[^\\u0000]+$',
        description: 'with kind',
      }),
    ),
    ...UsageRangeFields,
  },
  { additionalProperties: false },
);
/** `GET /admin/api/usage/top-clients`: the clients issued the most tokens. */
export const TopClientsQuery = Type.Object(
  {
    ...UsageRangeFields,
    instances: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100000, description: 'instances per client; default 1' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 20 })),
  },
  { additionalProperties: false },
);
