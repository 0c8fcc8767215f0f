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
}

export interface RevokedTokenRecord {
  seq: number;
  jti: string;
  exp: number;
  revokedAt: number;
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

export interface ClientStore {
  insert(client: ClientRecord): Promise<void>;
  findById(clientId: string): Promise<ClientRecord | undefined>;
  list(): Promise<ClientRecord[]>;
  /** false when no such client. */
  updateSecretHash(clientId: string, secretHash: string, now: number): Promise<boolean>;
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
  /** Deletes retired keys whose every token has expired. */
  deleteRetiredBefore(retiredAt: number): Promise<number>;
}

export interface RevocationStore {
  /** Records the jti; a second revocation of the same jti changes nothing. */
  revoke(entry: { jti: string; exp: number; revokedAt: number }): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
  /** Entries after the cursor, still unexpired, in cursor order. */
  listAfter(cursor: number, now: number, limit: number): Promise<RevokedTokenRecord[]>;
  deleteExpired(now: number): Promise<number>;
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
  readonly meta: MetaStore;
  readonly loginTokens: LoginTokenStore;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
