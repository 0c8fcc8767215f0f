import type { Generated } from 'kysely';
import type { AuditOutcome } from './types.js';

/** Table shapes as stored. Times are unix seconds; lists are space-separated. */
export interface ClientsTable {
  client_id: string;
  name: string;
  secret_hash: string;
  auth_method: string;
  grant_types: string;
  scopes: string;
  audiences: string;
  access_token_ttl_seconds: number | null;
  created_at: number;
  updated_at: number;
  /** null: the server default budget. */
  token_budget_per_minute: number | null;
  /** 1: answer a repeated client_credentials request with the still-valid token. */
  reuse_tokens: number | null;
  deprecated_at: number | null;
  sunset_at: number | null;
  last_used_at: number | null;
  /** 1: may introspect every token (RFC 7662 §4). */
  resource_server: Generated<number>;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  key_last4: string;
  scopes: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  /** AES-256-GCM of the PKCS#8 DER private key: iv.tag.ciphertext, base64url. */
  private_key_enc: string;
  created_at: number;
  /** Published from creation; signs from this time on. */
  active_from: number;
  /** Stops signing at this time; null while current. */
  retired_at: number | null;
  /** 1, 2, 3… in creation order (the enectiva `key` claim). */
  number: number | null;
  /** Published at least until then: the latest exp of a PAT the key signed. */
  published_until: number | null;
}

export interface LoginTokensTable {
  /** The `lti` claim. */
  id: Generated<number>;
  customer_uuid: string;
  subject_uuid: string;
  token_hash: string;
  scopes: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface DerivedTokensTable {
  jti: string;
  parent_kind: string;
  parent_id: string;
  exp: number;
}

export interface RevokedTokensTable {
  /** The feed cursor: strictly increasing in commit order. */
  seq: Generated<number>;
  jti: string;
  exp: number;
  revoked_at: number;
}

/** Clients whose every token issued at or before `revoked_before` is revoked. */
export interface RevokedClientsTable {
  client_id: string;
  revoked_before: number;
  exp: number;
}

/** The token-state feed (docs/state-feed.md). */
export interface TokenEventsTable {
  /** The feed cursor: strictly increasing in commit order. */
  seq: Generated<number>;
  type: string;
  /** The jti, API-key id or kid the event is about. */
  ref: string;
  at: number;
  /** After this the event no longer matters and leaves the feed. */
  exp: number;
  /** pat.state: the PAT's state as JSON; null otherwise. */
  state: string | null;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface UsersTable {
  id: string;
  email: string;
  email_skeleton: string;
  password_hash: string;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
}

export interface RefreshTokensTable {
  id: string;
  token_hash: string;
  family_id: string;
  client_id: string;
  user_id: string;
  scopes: string;
  auth_time: number;
  created_at: number;
  expires_at: number;
  family_expires_at: number;
  spent_at: number | null;
  revoked_at: number | null;
}

export interface PatsTable {
  id: string;
  name: string;
  role: string;
  scopes: string;
  token_hash: string;
  jti: string;
  created_at: number;
  expires_at: number;
  authorised_api: number;
  authorised_web: number;
  authorised_at: number | null;
  /** A shorter lifetime set when authorising. */
  authorised_until: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string;
  address: string;
  /** Migration 012; `ok` for the rows from before it. */
  outcome: Generated<AuditOutcome>;
  detail: string;
}

/** One counter of one credential in one time bucket (migration 011). */
export interface UsageCountsTable {
  id: Generated<number>;
  credential_kind: string;
  credential_id: string;
  granularity: string;
  bucket_start: number;
  metric: string;
  count: number;
}

export interface Database {
  clients: ClientsTable;
  signing_keys: SigningKeysTable;
  revoked_tokens: RevokedTokensTable;
  token_events: TokenEventsTable;
  revoked_clients: RevokedClientsTable;
  gridkey_meta: MetaTable;
  login_tokens: LoginTokensTable;
  derived_tokens: DerivedTokensTable;
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  api_keys: ApiKeysTable;
  pats: PatsTable;
  audit_log: AuditLogTable;
  usage_counts: UsageCountsTable;
}

export type Dialect = 'sqlite' | 'postgres';
