import { type Kysely, Migrator, type Selectable, sql, type Transaction } from 'kysely';
import type { ClientsTable, Database, Dialect, SigningKeysTable } from './database.js';
import { migrationProvider } from './migrations/index.js';
import type {
  ClientAuthMethod,
  ClientRecord,
  ClientStore,
  MetaStore,
  RevocationStore,
  SigningKeyRecord,
  SigningKeyStore,
  Store,
} from './types.js';

const list = (value: string): string[] => (value === '' ? [] : value.split(' '));

const toClient = (row: Selectable<ClientsTable>): ClientRecord => ({
  clientId: row.client_id,
  name: row.name,
  secretHash: row.secret_hash,
  authMethod: row.auth_method as ClientAuthMethod,
  grantTypes: list(row.grant_types),
  scopes: list(row.scopes),
  audiences: list(row.audiences),
  accessTokenTtlSeconds: row.access_token_ttl_seconds,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const toSigningKey = (row: Selectable<SigningKeysTable>): SigningKeyRecord => ({
  kid: row.kid,
  alg: row.alg,
  publicJwk: row.public_jwk,
  privateKeyEnc: row.private_key_enc,
  createdAt: Number(row.created_at),
  activeFrom: Number(row.active_from),
  retiredAt: row.retired_at === null ? null : Number(row.retired_at),
});

const fromSigningKey = (key: SigningKeyRecord): SigningKeysTable => ({
  kid: key.kid,
  alg: key.alg,
  public_jwk: key.publicJwk,
  private_key_enc: key.privateKeyEnc,
  created_at: key.createdAt,
  active_from: key.activeFrom,
  retired_at: key.retiredAt,
});

/** Advisory-lock ids for writes that must be serialised across PostgreSQL nodes. */
const LOCKS = { revocations: 0x6b7901, signingKeys: 0x6b7902 } as const;

/**
 * The shared implementation of {@link Store} over Kysely. The dialects differ
 * only in how the connection is opened and in `serialise`, which on
 * PostgreSQL takes a transaction-scoped advisory lock (SQLite already has a
 * single writer).
 */
export class KyselyStore implements Store {
  readonly clients: ClientStore;
  readonly signingKeys: SigningKeyStore;
  readonly revocations: RevocationStore;
  readonly meta: MetaStore;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
  ) {
    this.clients = this.clientStore();
    this.signingKeys = this.signingKeyStore();
    this.revocations = this.revocationStore();
    this.meta = this.metaStore();
  }

  /** Runs pending migrations; safe when several nodes start at once. */
  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: migrationProvider(this.dialect) });
    const { error } = await migrator.migrateToLatest();
    if (error !== undefined) throw error;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  private async serialise(trx: Transaction<Database>, lock: number): Promise<void> {
    if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${lock})`.execute(trx);
  }

  private clientStore(): ClientStore {
    const db = this.db;
    return {
      async insert(c) {
        await db
          .insertInto('clients')
          .values({
            client_id: c.clientId,
            name: c.name,
            secret_hash: c.secretHash,
            auth_method: c.authMethod,
            grant_types: c.grantTypes.join(' '),
            scopes: c.scopes.join(' '),
            audiences: c.audiences.join(' '),
            access_token_ttl_seconds: c.accessTokenTtlSeconds,
            created_at: c.createdAt,
            updated_at: c.updatedAt,
          })
          .execute();
      },
      async findById(clientId) {
        const row = await db
          .selectFrom('clients')
          .selectAll()
          .where('client_id', '=', clientId)
          .executeTakeFirst();
        return row && toClient(row);
      },
      async list() {
        const rows = await db.selectFrom('clients').selectAll().orderBy('created_at').execute();
        return rows.map(toClient);
      },
      async updateSecretHash(clientId, secretHash, now) {
        const result = await db
          .updateTable('clients')
          .set({ secret_hash: secretHash, updated_at: now })
          .where('client_id', '=', clientId)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n;
      },
      async delete(clientId) {
        const result = await db
          .deleteFrom('clients')
          .where('client_id', '=', clientId)
          .executeTakeFirst();
        return result.numDeletedRows > 0n;
      },
    };
  }

  private signingKeyStore(): SigningKeyStore {
    const db = this.db;
    const serialise = this.serialise.bind(this);
    return {
      async list() {
        const rows = await db
          .selectFrom('signing_keys')
          .selectAll()
          .orderBy('active_from')
          .orderBy('kid')
          .execute();
        return rows.map(toSigningKey);
      },
      async rotate(newKeys) {
        return db.transaction().execute(async (trx) => {
          await serialise(trx, LOCKS.signingKeys);
          const retired: string[] = [];
          for (const key of newKeys) {
            const current = await trx
              .updateTable('signing_keys')
              .set({ retired_at: key.activeFrom })
              .where('alg', '=', key.alg)
              .where((eb) =>
                eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', key.activeFrom)]),
              )
              .returning('kid')
              .execute();
            retired.push(...current.map((r) => r.kid));
            await trx.insertInto('signing_keys').values(fromSigningKey(key)).execute();
          }
          return { retired };
        });
      },
      async insertIfNoneForAlg(key) {
        return db.transaction().execute(async (trx) => {
          await serialise(trx, LOCKS.signingKeys);
          const existing = await trx
            .selectFrom('signing_keys')
            .select('kid')
            .where('alg', '=', key.alg)
            .where('retired_at', 'is', null)
            .executeTakeFirst();
          if (existing !== undefined) return false;
          await trx.insertInto('signing_keys').values(fromSigningKey(key)).execute();
          return true;
        });
      },
      async deleteRetiredBefore(retiredAt) {
        const result = await db
          .deleteFrom('signing_keys')
          .where('retired_at', 'is not', null)
          .where('retired_at', '<', retiredAt)
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      },
    };
  }

  private revocationStore(): RevocationStore {
    const db = this.db;
    const serialise = this.serialise.bind(this);
    return {
      async revoke(entry) {
        // Serialised so that cursor order is commit order: a feed reader that
        // has seen seq N can never later miss a smaller seq committed after it.
        await db.transaction().execute(async (trx) => {
          await serialise(trx, LOCKS.revocations);
          await trx
            .insertInto('revoked_tokens')
            .values({ jti: entry.jti, exp: entry.exp, revoked_at: entry.revokedAt })
            .onConflict((oc) => oc.column('jti').doNothing())
            .execute();
        });
      },
      async isRevoked(jti) {
        const row = await db
          .selectFrom('revoked_tokens')
          .select('seq')
          .where('jti', '=', jti)
          .executeTakeFirst();
        return row !== undefined;
      },
      async listAfter(cursor, now, limit) {
        const rows = await db
          .selectFrom('revoked_tokens')
          .selectAll()
          .where('seq', '>', cursor)
          .where('exp', '>', now)
          .orderBy('seq')
          .limit(limit)
          .execute();
        return rows.map((r) => ({
          seq: Number(r.seq),
          jti: r.jti,
          exp: Number(r.exp),
          revokedAt: Number(r.revoked_at),
        }));
      },
      async deleteExpired(now) {
        const result = await db
          .deleteFrom('revoked_tokens')
          .where('exp', '<=', now)
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      },
    };
  }

  private metaStore(): MetaStore {
    const db = this.db;
    return {
      async get(key) {
        const row = await db
          .selectFrom('gridkey_meta')
          .select('value')
          .where('key', '=', key)
          .executeTakeFirst();
        return row?.value;
      },
      async setIfAbsent(key, value) {
        await db
          .insertInto('gridkey_meta')
          .values({ key, value })
          .onConflict((oc) => oc.column('key').doNothing())
          .execute();
        const row = await db
          .selectFrom('gridkey_meta')
          .select('value')
          .where('key', '=', key)
          .executeTakeFirstOrThrow();
        return row.value;
      },
    };
  }
}
