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
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
