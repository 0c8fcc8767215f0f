import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { LOCKS } from '../tables/store-context.js';
import { patStateJson } from '../tables/token-events.js';

interface Tables {
  token_events: {
    seq: number;
    type: string;
    ref: string;
    at: number;
    exp: number;
    state: string | null;
  };
}

/**
 * The token-state feed (docs/state-feed.md): one cursor-ordered table of
 * every change a verifier must learn of. Existing revocations and PAT states
 * are copied in, so that a verifier's first snapshot is complete, and the
 * cursor carries on above the old feed's: a reader that kept its cursor
 * across the upgrade misses nothing. And signing keys stay published while a
 * PAT they signed lives. Nodes of the previous version write no events:
 * stop them before the first node of this one starts (docs/operations.md).
 */
export function tokenEventsSchema(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('token_events')
        .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (c) =>
          // By default, not always: the copied rows keep numbers of their own.
          dialect === 'postgres'
            ? c.primaryKey().generatedByDefaultAsIdentity()
            : c.primaryKey().autoIncrement(),
        )
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('at', time, (c) => c.notNull())
        .addColumn('exp', time, (c) => c.notNull())
        .addColumn('state', 'text')
        .execute();
      await db.schema.createIndex('token_events_exp').on('token_events').column('exp').execute();
      // PATs signed before this migration name no key: keep every RS256 key
      // (PATs are RS256) published until the last of them expires.
      await db.schema.alterTable('signing_keys').addColumn('published_until', time).execute();
      await sql`update signing_keys set published_until =
        (select max(expires_at) from pats where revoked_at is null)
        where alg = 'RS256'`.execute(db);

      // No revocation may be written between the copy and the first event.
      if (dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(${LOCKS.revocations})`.execute(db);
      }
      const top = await sql<{ top: number | null }>`
        select max(seq) as top from revoked_tokens`.execute(db);
      let seq = Number(top.rows[0]?.top ?? 0);
      const revoked = await sql<{ jti: string; exp: number; revoked_at: number }>`
        select jti, exp, revoked_at from revoked_tokens
        where jti not in (select jti from pats) order by seq`.execute(db);
      const pats = await sql<{
        id: string;
        jti: string;
        expires_at: number;
        authorised_api: number;
        authorised_web: number;
        authorised_at: number | null;
        authorised_until: number | null;
        revoked_at: number | null;
      }>`select id, jti, expires_at, authorised_api, authorised_web, authorised_at,
          authorised_until, revoked_at
        from pats where authorised_at is not null or revoked_at is not null`.execute(db);
      const rows = [
        ...revoked.rows.map((r) => ({
          seq: 0,
          type: 'access_token.revoked',
          ref: r.jti,
          at: Number(r.revoked_at),
          exp: Number(r.exp),
          state: null,
        })),
        ...pats.rows.map((p) => ({
          seq: 0,
          type: 'pat.state',
          ref: p.jti,
          at: Number(p.revoked_at ?? p.authorised_at),
          exp: Number(p.expires_at),
          state: patStateJson({
            patId: p.id,
            api: Number(p.authorised_api) === 1,
            web: Number(p.authorised_web) === 1,
            until: p.authorised_until === null ? null : Number(p.authorised_until),
            revoked: p.revoked_at !== null,
          }),
        })),
      ];
      for (const row of rows) row.seq = ++seq;
      // The last old cursor, even when nothing is copied: it is where the
      // sequence goes on from (SQLite's AUTOINCREMENT keeps the largest seq
      // ever written, so a placeholder row at it does that).
      if (rows.length === 0 && seq > 0) {
        rows.push({ seq, type: 'placeholder', ref: '', at: 0, exp: 0, state: null });
      }
      // In chunks: SQLite caps the bound parameters of one statement.
      for (let i = 0; i < rows.length; i += 500) {
        await (db as Kysely<Tables>)
          .insertInto('token_events')
          .values(rows.slice(i, i + 500))
          .execute();
      }
      await (db as Kysely<Tables>)
        .deleteFrom('token_events')
        .where('type', '=', 'placeholder')
        .execute();
      if (dialect === 'postgres') {
        // Explicit numbers do not move an identity: start it after them.
        await sql`alter table token_events alter column seq restart with ${sql.lit(seq + 1)}`.execute(
          db,
        );
      }
    },
  };
}
