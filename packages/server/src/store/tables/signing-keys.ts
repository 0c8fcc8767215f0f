import type { Selectable, Transaction } from 'kysely';
import type { Database, SigningKeysTable } from '../database.js';
import type { SigningKeyRecord, SigningKeyStore } from '../types.js';
import { LOCKS, type StoreContext } from './store-context.js';
import { appendTokenEvents, KEY_EVENT_RETENTION_SECONDS } from './token-events.js';

const toSigningKey = (row: Selectable<SigningKeysTable>): SigningKeyRecord => ({
  kid: row.kid,
  alg: row.alg,
  number: row.number === null ? null : Number(row.number),
  publicJwk: row.public_jwk,
  privateKeyEnc: row.private_key_enc,
  createdAt: Number(row.created_at),
  activeFrom: Number(row.active_from),
  retiredAt: row.retired_at === null ? null : Number(row.retired_at),
  publishedUntil: row.published_until === null ? null : Number(row.published_until),
});

/** Inserts a key with the next key number (callers hold the signing-keys lock). */
async function insertNumbered(trx: Transaction<Database>, key: SigningKeyRecord): Promise<void> {
  const { max } = await trx
    .selectFrom('signing_keys')
    .select((eb) => eb.fn.max('number').as('max'))
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('signing_keys')
    .values({
      kid: key.kid,
      alg: key.alg,
      number: Number(max ?? 0) + 1,
      public_jwk: key.publicJwk,
      private_key_enc: key.privateKeyEnc,
      created_at: key.createdAt,
      active_from: key.activeFrom,
      retired_at: key.retiredAt,
      published_until: key.publishedUntil,
    })
    .execute();
}

export function signingKeyStore({ db, serialise }: StoreContext): SigningKeyStore {
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
          await insertNumbered(trx, key);
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
        await insertNumbered(trx, key);
        return true;
      });
    },
    async deleteRetiredBefore(retiredAt, now) {
      return db.transaction().execute(async (trx) => {
        await serialise(trx, LOCKS.revocations);
        const deleted = await trx
          .deleteFrom('signing_keys')
          .where('retired_at', 'is not', null)
          .where('retired_at', '<', retiredAt)
          .where((eb) =>
            eb.or([eb('published_until', 'is', null), eb('published_until', '<=', now)]),
          )
          .returning('kid')
          .execute();
        // A verifier may still hold the key in its cached JWKS.
        await appendTokenEvents(
          trx,
          deleted.map((k) => ({
            type: 'signing_key.removed',
            kid: k.kid,
            at: now,
            exp: now + KEY_EVENT_RETENTION_SECONDS,
          })),
        );
        return deleted.length;
      });
    },
  };
}
