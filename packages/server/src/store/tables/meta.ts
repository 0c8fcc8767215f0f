import type { MetaStore } from '../types.js';
import type { StoreContext } from './store-context.js';

export function metaStore({ db }: StoreContext): MetaStore {
  const read = (key: string) =>
    db.selectFrom('gridkey_meta').select('value').where('key', '=', key).executeTakeFirst();
  return {
    async get(key) {
      return (await read(key))?.value;
    },
    async setIfAbsent(key, value) {
      await db
        .insertInto('gridkey_meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const row = await read(key);
      if (row === undefined) throw new Error(`meta key ${key} vanished`);
      return row.value;
    },
  };
}
