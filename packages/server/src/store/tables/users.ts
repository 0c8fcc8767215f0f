import type { Selectable } from 'kysely';
import type { UsersTable } from '../database.js';
import type { UserRecord, UserStore } from '../types.js';
import { recordDerived } from './derived-tokens.js';
import { LOCKS, type StoreContext, toNumber } from './store-context.js';
import { revokeFamiliesOf } from './token-revocation.js';

const toUser = (row: Selectable<UsersTable>): UserRecord => ({
  id: row.id,
  email: row.email,
  emailSkeleton: row.email_skeleton,
  passwordHash: row.password_hash,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
  disabledAt: toNumber(row.disabled_at),
});

export function userStore({ db, serialise }: StoreContext): UserStore {
  return {
    async insert(u) {
      const result = await db
        .insertInto('users')
        .values({
          id: u.id,
          email: u.email,
          email_skeleton: u.emailSkeleton,
          password_hash: u.passwordHash,
          created_at: u.createdAt,
          updated_at: u.updatedAt,
          disabled_at: u.disabledAt,
        })
        // Either unique column (e-mail or its look-alike skeleton) taken: nothing inserted.
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
    async findById(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async findByEmail(email) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', email)
        .executeTakeFirst();
      return row && toUser(row);
    },
    async list() {
      return (
        await db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute()
      ).map(toUser);
    },
    async updatePasswordHash(id, passwordHash, now) {
      const result = await db
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async disable(id, now) {
      return db.transaction().execute(async (trx) => {
        await serialise(trx, LOCKS.revocations);
        const result = await trx
          .updateTable('users')
          .set({ disabled_at: now, updated_at: now })
          .where('id', '=', id)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) return false;
        await revokeFamiliesOf(trx, { userId: id }, now);
        return true;
      });
    },
    async revokeTokens(id, now) {
      return db.transaction().execute(async (trx) => {
        await serialise(trx, LOCKS.revocations);
        const user = await trx
          .selectFrom('users')
          .select('id')
          .where('id', '=', id)
          .executeTakeFirst();
        if (user === undefined) return false;
        await revokeFamiliesOf(trx, { userId: id }, now);
        return true;
      });
    },
    async delete(id, now) {
      return db.transaction().execute(async (trx) => {
        await serialise(trx, LOCKS.revocations);
        await revokeFamiliesOf(trx, { userId: id }, now);
        await trx.deleteFrom('refresh_tokens').where('user_id', '=', id).execute();
        const result = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
        return result.numDeletedRows > 0n;
      });
    },
    async recordAccessToken(id, access) {
      await recordDerived(db, { kind: 'user', id }, access);
    },
  };
}
