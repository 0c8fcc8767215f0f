import type { Dialect } from './database.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface ClientRecord {
  clientId: string;
  name: string;
  secretHash: string;
  authMethod: ClientAuthMethod;
  grantTypes: readonly string[];
  scopes: readonly string[];
  audiences: readonly string[];
  /** null: the profile's or the server's default applies. */
  accessTokenTtlSeconds: number | null;
  createdAt: number;
  updatedAt: number;
  /** Tokens a minute; null: the server default. */
  tokenBudgetPerMinute: number | null;
  reuseTokens: boolean;
  deprecatedAt: number | null;
  sunsetAt: number | null;
  lastUsedAt: number | null;
  /** RFC 7662 §4: may introspect every token, not only its own and those addressed to it. */
  resourceServer: boolean;
}

/** The changeable policy of a client (`gridkey client update`). */
export interface ClientPolicyUpdate {
  tokenBudgetPerMinute?: number | null;
  reuseTokens?: boolean;
  deprecatedAt?: number | null;
  sunsetAt?: number | null;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  keyHash: string;
  /** `gk_` and the first characters, for recognising a key in lists. */
  keyPrefix: string;
  keyLast4: string;
  scopes: readonly string[];
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface ApiKeyStore {
  insert(key: ApiKeyRecord): Promise<void>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  /** Revokes and tells the feed; 'not_found' when no such key. */
  revoke(id: string, now: number): Promise<'revoked' | 'already_revoked' | 'not_found'>;
  touch(id: string, now: number): Promise<void>;
}

export interface SigningKeyRecord {
  kid: string;
  alg: string;
  /** Assigned by the store on insert: 1, 2, 3… in creation order. */
  number: number | null;
  publicJwk: string;
  privateKeyEnc: string;
  createdAt: number;
  activeFrom: number;
  retiredAt: number | null;
  /** Kept in the JWKS at least until then, retired or not: a PAT it signed lives that long. */
  publishedUntil: number | null;
}

export interface RevokedTokenRecord {
  seq: number;
  jti: string;
  exp: number;
  revokedAt: number;
}

/** A PAT's whole authorisation state, as the feed tells verifiers. */
export interface PatState {
  patId: string;
  api: boolean;
  web: boolean;
  /** A shortened lifetime; null: until the token's exp. */
  until: number | null;
  revoked: boolean;
}

/** One change in the token-state feed (docs/state-feed.md); `exp`: when it stops mattering. */
export type TokenEvent = { at: number; exp: number } & (
  | { type: 'access_token.revoked'; jti: string }
  | ({ type: 'pat.state'; jti: string } & PatState)
  | { type: 'api_key.revoked'; keyId: string }
  | { type: 'signing_key.removed'; kid: string }
  | { type: 'client.tokens_revoked'; clientId: string; before: number }
);

export type TokenEventRecord = TokenEvent & { seq: number };

export interface TokenEventStore {
  /** Events after the cursor that still matter at `now`, in cursor order. */
  listAfter(cursor: number, now: number, limit: number): Promise<TokenEventRecord[]>;
  /** The largest cursor still stored; 0 when none. */
  lastCursor(): Promise<number>;
}

export interface LoginTokenRecord {
  /** Numeric id: the `lti` claim. */
  id: number;
  customerUuid: string;
  /** The `sub` of derived access tokens. */
  subjectUuid: string;
  tokenHash: string;
  scopes: readonly string[];
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface LoginTokenStore {
  insert(
    token: Omit<LoginTokenRecord, 'id' | 'revokedAt' | 'lastUsedAt'>,
  ): Promise<LoginTokenRecord>;
  findByHash(tokenHash: string): Promise<LoginTokenRecord | undefined>;
  findById(id: number): Promise<LoginTokenRecord | undefined>;
  list(filter?: { customerUuid?: string }): Promise<LoginTokenRecord[]>;
  /**
   * Records an access token derived from a login token, if the login token is
   * still live at `now`; false when it was revoked or expired meanwhile.
   */
  recordExchange(entry: { id: number; jti: string; exp: number; now: number }): Promise<boolean>;
  /** Revokes the login token and puts its live derived jtis into the revocation feed. */
  revoke(id: number, now: number): Promise<'revoked' | 'already_revoked' | 'not_found'>;
}

export interface UserRecord {
  id: string;
  /** Normalised: trimmed, NFC, lower case. */
  email: string;
  emailSkeleton: string;
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
  disabledAt: number | null;
}

export interface UserStore {
  /** false when the e-mail or a look-alike of it is taken. */
  insert(user: UserRecord): Promise<boolean>;
  findById(id: string): Promise<UserRecord | undefined>;
  findByEmail(email: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  updatePasswordHash(id: string, passwordHash: string, now: number): Promise<boolean>;
  /** Disables the user and revokes all their refresh tokens (and the access tokens they issued). */
  disable(id: string, now: number): Promise<boolean>;
  /** Revokes all their refresh tokens (and the access tokens they issued); false when no such user. */
  revokeTokens(id: string, now: number): Promise<boolean>;
  /** Deletes the user, revoking their refresh tokens first. */
  delete(id: string, now: number): Promise<boolean>;
  /** Links an access token issued without a refresh token to its user, so revoking the user's tokens reaches it. */
  recordAccessToken(id: string, access: { jti: string; exp: number }): Promise<void>;
}

export interface RefreshTokenRecord {
  id: string;
  tokenHash: string;
  familyId: string;
  clientId: string;
  userId: string;
  /** The scope originally granted: a refresh may narrow it per access token, never widen it. */
  scopes: readonly string[];
  authTime: number;
  createdAt: number;
  expiresAt: number;
  familyExpiresAt: number;
  spentAt: number | null;
  revokedAt: number | null;
}

/** An access token issued from a refresh-token family, so revoking the family can name it. */
export interface DerivedAccessToken {
  jti: string;
  exp: number;
}

export interface RefreshTokenStore {
  /** Stores the first token of a family, with the access token issued beside it. */
  insert(token: RefreshTokenRecord, access: DerivedAccessToken): Promise<void>;
  findByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /**
   * Spends `oldId` and stores its successor in one transaction, with a
   * conditional update: of concurrent uses of one token exactly one wins.
   * false when the old token was already spent or revoked.
   */
  rotate(
    oldId: string,
    now: number,
    next: RefreshTokenRecord,
    access: DerivedAccessToken,
  ): Promise<boolean>;
  /** Revokes every token of the family and puts its live access tokens in the feed. */
  revokeFamily(familyId: string, now: number): Promise<void>;
}

export interface PatRecord {
  id: string;
  name: string;
  role: string;
  scopes: readonly string[];
  tokenHash: string;
  jti: string;
  createdAt: number;
  expiresAt: number;
  authorisedApi: boolean;
  authorisedWeb: boolean;
  authorisedAt: number | null;
  authorisedUntil: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface PatStore {
  /** Stores the PAT and keeps the key that signed it published until the PAT's expiry. */
  insert(pat: PatRecord, signedBy: string): Promise<void>;
  findById(id: string): Promise<PatRecord | undefined>;
  findByHash(tokenHash: string): Promise<PatRecord | undefined>;
  list(): Promise<PatRecord[]>;
  /** Records the grant and puts the new state in the feed; false when no such PAT or it is revoked. */
  authorise(
    id: string,
    grant: { api: boolean; web: boolean; until: number | null },
    now: number,
  ): Promise<boolean>;
  /** Revokes and puts the new state in the feed; 'not_found' when no such PAT. */
  revoke(id: string, now: number): Promise<'revoked' | 'already_revoked' | 'not_found'>;
  touch(id: string, now: number): Promise<void>;
}

/**
 * How an audited action ended: done (`ok`), refused for the caller's
 * mistake (`refused`: a bad field, an unknown id, a conflict; the detail's
 * `error` says which), or failed on the server's side (`failed`).
 */
export type AuditOutcome = 'ok' | 'refused' | 'failed';

export interface AuditEntry {
  id: number;
  at: number;
  /** Who: `pat:<id> (<name>)`, `cli`, … */
  actor: string;
  action: string;
  target: string;
  /** From where: the client address, or `cli`. */
  address: string;
  outcome: AuditOutcome;
  detail: Record<string, unknown>;
}

/** Which audit entries to list: every given condition holds. */
export interface AuditListOptions {
  limit: number;
  /** Entries with an id below this. */
  before?: number;
  /** Entries whose actor contains this, ignoring ASCII case (`%` and `_` are literal). */
  actor?: string;
  /** Entries whose action contains this, ignoring ASCII case. */
  action?: string;
  /** Entries whose target contains this, ignoring ASCII case. */
  target?: string;
  /** Entries at or after this time (unix seconds). */
  since?: number;
  /** Entries at or before this time (unix seconds). */
  until?: number;
  /** Entries with exactly this outcome. */
  outcome?: AuditOutcome;
}

export interface AuditStore {
  append(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  /** Newest first (by id). */
  list(options: AuditListOptions): Promise<AuditEntry[]>;
}

export interface ClientStore {
  insert(client: ClientRecord): Promise<void>;
  findById(clientId: string): Promise<ClientRecord | undefined>;
  list(): Promise<ClientRecord[]>;
  /** false when no such client. */
  updateSecretHash(clientId: string, secretHash: string, now: number): Promise<boolean>;
  /** false when no such client. */
  updatePolicy(clientId: string, update: ClientPolicyUpdate, now: number): Promise<boolean>;
  /** Records use (debounced by the caller). */
  touch(clientId: string, now: number): Promise<void>;
  delete(clientId: string): Promise<boolean>;
}

export interface SigningKeyStore {
  /** Every key not yet dropped from the JWKS, oldest first. */
  list(): Promise<SigningKeyRecord[]>;
  /**
   * Atomically adds the new keys and retires, at each new key's `activeFrom`,
   * the keys of the same algorithm that were current.
   */
  rotate(newKeys: SigningKeyRecord[]): Promise<{ retired: string[] }>;
  /** Adds keys only when the store has none for that algorithm (first start). */
  insertIfNoneForAlg(key: SigningKeyRecord): Promise<boolean>;
  /** Deletes retired keys whose every token (PATs too) has expired, telling the feed. */
  deleteRetiredBefore(retiredAt: number, now: number): Promise<number>;
}

export interface RevocationStore {
  /** Records the jti; a second revocation of the same jti changes nothing. */
  revoke(entry: { jti: string; exp: number; revokedAt: number }): Promise<void>;
  /**
   * Whether an access token is revoked: its jti, or (given who it was issued
   * to and when) its client's kill switch.
   */
  isRevoked(
    jti: string,
    issued?: { clientId?: string | undefined; iat?: number | undefined },
  ): Promise<boolean>;
  /**
   * The kill switch: revokes the client's refresh tokens and every access
   * token issued to it until now, and tells the feed.
   */
  revokeClientTokens(clientId: string, now: number, maxTokenTtlSeconds: number): Promise<void>;
  /** Entries after the cursor, still unexpired, in cursor order. */
  listAfter(cursor: number, now: number, limit: number): Promise<RevokedTokenRecord[]>;
}

/** What the pruner removes, one kind of row each (docs/operations.md, "Pruning"). */
export type PruneTarget =
  | 'refresh_tokens.expired'
  | 'refresh_tokens.spent'
  | 'refresh_tokens.revoked'
  | 'derived_tokens.expired'
  | 'revoked_tokens.expired'
  | 'revoked_clients.expired'
  | 'token_events.expired'
  | 'audit_log.old'
  | 'usage_counts.old';

/** Unix seconds: what is older than these goes. */
export interface PruneCutoffs {
  now: number;
  /** Spent and revoked refresh tokens from before this. */
  spentRefreshTokensBefore: number;
  /** Audit rows from before this. */
  auditBefore: number;
  /** Usage buckets of each granularity that start before these. */
  usageBefore: Readonly<Record<UsageGranularity, number>>;
}

export interface PruneStore {
  readonly targets: readonly PruneTarget[];
  /** Deletes at most `limit` rows of the target in one statement; returns how many. */
  pruneBatch(target: PruneTarget, cutoffs: PruneCutoffs, limit: number): Promise<number>;
}

/** What a usage count is of. */
export type CredentialKind = 'client' | 'api_key' | 'pat';
/** How wide a usage bucket is: a minute, an hour or a day (UTC). */
export type UsageGranularity = 'minute' | 'hour' | 'day';

/** One counter of one credential in one bucket: `tokens_issued`, `uses` or `refused.<error>`. */
export interface UsageCount {
  kind: CredentialKind;
  id: string;
  granularity: UsageGranularity;
  /** Unix seconds: the bucket's first second. */
  bucketStart: number;
  metric: string;
  count: number;
}

/** Which buckets: of one granularity, starting in [from, to), of a kind (and one id of it). */
export interface UsageRange {
  granularity: UsageGranularity;
  from: number;
  to: number;
}

export interface UsageStore {
  /**
   * Adds each count to its stored counter (creating it), all or none: a
   * batch that fails leaves nothing written, so it can be retried whole.
   * Safe when several nodes add to the same counters at once.
   */
  add(counts: readonly UsageCount[]): Promise<void>;
  /** The counters in the range, by bucket, kind, id and metric. */
  list(range: UsageRange & { kind?: CredentialKind; id?: string }): Promise<UsageCount[]>;
  /** One metric summed per credential of a kind over the range, largest first (then by id). */
  totals(
    range: UsageRange & { kind: CredentialKind; metric: string; limit: number },
  ): Promise<{ id: string; count: number }[]>;
}

export interface MetaStore {
  get(key: string): Promise<string | undefined>;
  /** Sets the value unless the key exists; returns the stored value. */
  setIfAbsent(key: string, value: string): Promise<string>;
}

/** The one storage interface; SQLite and PostgreSQL implement it from the same queries. */
export interface Store {
  readonly dialect: Dialect;
  readonly clients: ClientStore;
  readonly signingKeys: SigningKeyStore;
  readonly revocations: RevocationStore;
  readonly tokenEvents: TokenEventStore;
  readonly meta: MetaStore;
  readonly loginTokens: LoginTokenStore;
  readonly users: UserStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly apiKeys: ApiKeyStore;
  readonly pats: PatStore;
  readonly audit: AuditStore;
  readonly usage: UsageStore;
  readonly pruning: PruneStore;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
