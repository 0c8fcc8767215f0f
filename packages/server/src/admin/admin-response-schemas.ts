import { type TProperties, type TSchema, Type } from '@sinclair/typebox';

/**
 * Success answers of the admin API, one per operation result: published in
 * the OpenAPI document and checked against real answers by
 * test/admin/admin-responses.test.ts. Each object is closed
 * (`additionalProperties: false`), so a field an operation adds without
 * naming it here fails that test instead of going undocumented.
 */
const Nullable = <T extends TSchema>(schema: T, description?: string) =>
  Type.Union([schema, Type.Null()], description === undefined ? {} : { description });
const Time = Type.String({ format: 'date-time', description: 'ISO 8601 date-time (UTC)' });
const NullableTime = (description?: string) => Nullable(Time, description);
const closed = <T extends TProperties>(properties: T, description?: string) =>
  Type.Object(properties, {
    additionalProperties: false,
    ...(description === undefined ? {} : { description }),
  });
const Scope = Type.String({ description: 'space-separated scopes' });
const Yes = Type.Literal(true);

const PatFields = {
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  scope: Scope,
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('active'),
    Type.Literal('revoked'),
    Type.Literal('expired'),
  ]),
  api: Type.Boolean({ description: 'authorised for the JSON API' }),
  web: Type.Boolean({ description: 'authorised for the web page' }),
  created_at: NullableTime(),
  expires_at: NullableTime('the authorisation’s end if shortened, else the PAT’s'),
  last_used_at: NullableTime(),
};
export const PatDescription = closed(PatFields, 'A PAT: never the token or its hash');
export const CreatedPat = closed(
  { ...PatFields, token: Type.String({ description: 'the PAT; in this answer only' }) },
  'The new PAT (pending until authorised)',
);
export const PatList = Type.Array(PatDescription);
export const Session = closed(
  {
    pat: closed({ id: Type.String(), name: Type.String(), role: Type.String() }),
    roles: Type.Array(Type.String(), { description: 'the role names a PAT may have' }),
  },
  'The admin token in use, and the roles a new PAT may have',
);

const ClientFields = {
  client_id: Type.String(),
  name: Type.String(),
  scope: Scope,
  grant_types: Type.Array(Type.String()),
  token_endpoint_auth_method: Type.Union([
    Type.Literal('client_secret_basic'),
    Type.Literal('client_secret_post'),
  ]),
  audiences: Type.Array(Type.String()),
  access_token_ttl_seconds: Nullable(Type.Integer(), 'null: the profile’s or server’s default'),
  token_budget_per_minute: Nullable(Type.Integer(), 'null: the server default'),
  reuse_tokens: Type.Boolean(),
  resource_server: Type.Boolean(),
  deprecated: Type.Boolean(),
  sunset_at: NullableTime(),
  last_used_at: NullableTime(),
  in_use_since_deprecation: Type.Boolean(),
  created_at: NullableTime(),
  updated_at: NullableTime(),
};
export const ClientDescription = closed(ClientFields, 'An OAuth client: never its secret');
export const CreatedClient = closed(
  {
    ...ClientFields,
    client_secret: Type.String({ description: 'the secret; in this answer only' }),
  },
  'The new client',
);
export const ClientList = Type.Array(ClientDescription);
export const ClientSecret = closed(
  {
    client_id: Type.String(),
    client_secret: Type.String({ description: 'the new secret; in this answer only' }),
  },
  'The new secret; the old one no longer works',
);
export const ClientTokensRevoked = closed({ client_id: Type.String(), tokens_revoked: Yes });
export const ClientDeleted = closed({ client_id: Type.String(), deleted: Yes });

const UserFields = {
  id: Type.String(),
  email: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  created_at: NullableTime(),
  disabled_at: NullableTime(),
};
export const UserDescription = closed(UserFields, 'A user: never the password hash');
export const UserList = Type.Array(UserDescription);
export const DisabledUser = closed({ ...UserFields, disabled: Yes });
export const UserPasswordSet = closed({
  id: Type.String(),
  email: Type.String(),
  password_set: Yes,
});
export const UserDeleted = closed({ id: Type.String(), email: Type.String(), deleted: Yes });
export const UserTokensRevoked = closed({
  id: Type.String(),
  email: Type.String(),
  tokens_revoked: Yes,
});
export const AccessTokenRevoked = closed({ jti: Type.String(), revoked: Yes });

const ActiveRevokedExpired = Type.Union([
  Type.Literal('active'),
  Type.Literal('revoked'),
  Type.Literal('expired'),
]);
const AlreadyRevoked = Type.Optional(
  Type.Literal(true, { description: 'present when it was revoked before' }),
);

const LoginTokenFields = {
  id: Type.Integer({ description: 'the `lti` claim of its access tokens' }),
  customer_uuid: Type.String(),
  subject_uuid: Type.String({ description: 'the `sub` of its access tokens' }),
  scope: Scope,
  status: ActiveRevokedExpired,
  created_at: NullableTime(),
  expires_at: NullableTime(),
  revoked_at: NullableTime(),
  last_used_at: NullableTime(),
};
export const LoginTokenDescription = closed(
  LoginTokenFields,
  'A login token: never the token or its hash',
);
export const CreatedLoginToken = closed(
  {
    ...LoginTokenFields,
    login_token: Type.String({ description: 'the login token; in this answer only' }),
  },
  'The new login token',
);
export const LoginTokenList = Type.Array(LoginTokenDescription);
export const LoginTokenRevoked = closed({
  id: Type.Integer(),
  revoked: Yes,
  already_revoked: AlreadyRevoked,
});

const ApiKeyFields = {
  id: Type.String(),
  name: Type.String(),
  key_hint: Type.String({ description: 'prefix … last four characters' }),
  scope: Scope,
  status: ActiveRevokedExpired,
  created_at: NullableTime(),
  expires_at: NullableTime(),
  revoked_at: NullableTime(),
  last_used_at: NullableTime(),
};
export const ApiKeyDescription = closed(ApiKeyFields, 'An API key: its hint, never the key');
export const CreatedApiKey = closed(
  { ...ApiKeyFields, key: Type.String({ description: 'the key (gk_…); in this answer only' }) },
  'The new API key',
);
export const ApiKeyList = Type.Array(ApiKeyDescription);
export const ApiKeyRevoked = closed({
  id: Type.String(),
  revoked: Yes,
  already_revoked: AlreadyRevoked,
});

export const SigningKeyDescription = closed(
  {
    kid: Type.String({ description: 'RFC 7638 thumbprint of the public key' }),
    alg: Type.String(),
    number: Nullable(Type.Integer(), '1, 2, 3… in creation order'),
    status: Type.Union([Type.Literal('next'), Type.Literal('active'), Type.Literal('retired')]),
    created_at: NullableTime(),
    active_from: NullableTime('when it starts signing'),
    retired_at: NullableTime('when it stops signing; null while current'),
    published_until: NullableTime('when it leaves the JWKS; null while current'),
  },
  'A signing key: public information only',
);
export const SigningKeyList = Type.Array(SigningKeyDescription);
export const SigningKeyRotation = closed({
  created: Type.Array(SigningKeyDescription),
  retired: Type.Array(Type.String(), { description: 'the kids that stop signing' }),
  deleted: Type.Integer({ description: 'keys retired long enough ago, deleted for good' }),
});

export const AuditEntry = closed({
  id: Type.Integer(),
  at: Time,
  actor: Type.String({ description: '`pat:<id> (<name>)` or `cli:<user>@<host>`' }),
  action: Type.String(),
  target: Type.String(),
  outcome: Type.Union([Type.Literal('ok'), Type.Literal('refused'), Type.Literal('failed')], {
    description:
      '`ok`; `refused` (the caller’s mistake; `detail.error` has the code, `detail.field` a bad field); `failed` (the server’s)',
  }),
  address: Type.String({ description: 'the client address, or `cli`' }),
  // Each action records its own fields: an open object.
  detail: Type.Object(
    {},
    { additionalProperties: true, description: 'names, roles, scopes, ids; never a secret' },
  ),
});
export const AuditList = Type.Array(AuditEntry, { description: 'newest first' });

const Count = Type.Integer({ minimum: 0 });
const UsageRange = {
  granularity: Type.Union([Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day')]),
  since: Type.String({ format: 'date-time', description: 'the first bucket’s start' }),
  until: Type.String({ format: 'date-time', description: 'the range’s end, inclusive' }),
};
export const Usage = closed(
  {
    ...UsageRange,
    buckets: Type.Array(
      closed({
        kind: Type.Union([Type.Literal('client'), Type.Literal('api_key'), Type.Literal('pat')]),
        id: Type.String({ description: 'client_id, or the API key’s or PAT’s id' }),
        start: Type.String({ format: 'date-time', description: 'the bucket’s start' }),
        tokens_issued: Count,
        uses: Type.Integer({ minimum: 0, description: 'API keys and PATs: accepted uses' }),
        refused: Type.Record(Type.String(), Count, {
          description: 'refused token requests by OAuth error code',
        }),
      }),
      { description: 'by bucket, then kind and id' },
    ),
  },
  'Usage counts per credential and time bucket',
);
export const TopClients = closed(
  {
    ...UsageRange,
    instances: Type.Integer({ minimum: 1 }),
    clients: Type.Array(
      closed({
        client_id: Type.String(),
        name: Nullable(Type.String(), 'null once the client is deleted'),
        tokens_issued: Count,
        access_token_ttl_seconds: Type.Integer({ minimum: 1 }),
        justified_tokens: Type.Integer({
          minimum: 1,
          description: 'one new token per lifetime per instance over the range',
        }),
        tokens_per_lifetime: Type.Number({ minimum: 0 }),
        over_requesting: Type.Boolean({ description: 'more tokens than justified' }),
        advice: Nullable(Type.String(), 'what to tell the client’s owner when over_requesting'),
      }),
      { description: 'most tokens first' },
    ),
  },
  'The clients issued the most tokens, each against what its token lifetime justifies',
);
