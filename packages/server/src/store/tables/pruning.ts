import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database } from '../database.js';
import type { PruneCutoffs, PruneStore, PruneTarget } from '../types.js';
import type { StoreContext } from './store-context.js';
import { FEED_GRACE_SECONDS } from './token-events.js';

/**
 * Bounded deletes of rows that no longer matter. Each call removes at most
 * `limit` rows in one short statement (`delete … where key in (select key …
 * limit n)`, the same on both dialects), so that pruning a large backlog never
 * holds a lock for long: the pruner repeats a target until a batch comes back
 * short. Every selection is a range on an indexed time column (migration 009).
 */
/** A token that looked valid at the start of a request keeps its row for this long after. */
const CLOCK_MARGIN_SECONDS = 60;

type Aliased = Database & { r: Database['refresh_tokens'] };

export function pruneStore({ db }: StoreContext): PruneStore {
  const batches: Record<PruneTarget, (c: PruneCutoffs, limit: number) => Promise<bigint>> = {
    // An unused refresh token past its own expiry (never later than its
    // family's) is refused whatever happens; a minute's margin keeps a request
    // that found it still valid from losing it mid-rotation (and nodes' clocks
    // may differ). Spent and revoked ones are kept for reuse detection (RFC
    // 9700 §4.14.2) until the retention cutoff, also past their expiry.
    'refresh_tokens.expired': (c, limit) =>
      deleteRefreshTokens(
        (eb) =>
          eb.and([
            eb('r.expires_at', '<=', c.now - CLOCK_MARGIN_SECONDS),
            eb('r.spent_at', 'is', null),
            eb('r.revoked_at', 'is', null),
          ]),
        c,
        limit,
      ),
    'refresh_tokens.spent': (c, limit) =>
      deleteRefreshTokens((eb) => eb('r.spent_at', '<=', c.spentRefreshTokensBefore), c, limit),
    'refresh_tokens.revoked': (c, limit) =>
      deleteRefreshTokens((eb) => eb('r.revoked_at', '<=', c.spentRefreshTokensBefore), c, limit),
    // Links from a parent to its access tokens: needed only while the token lives.
    'derived_tokens.expired': async (c, limit) => {
      const r = await db
        .deleteFrom('derived_tokens')
        .where(
          'jti',
          'in',
          db.selectFrom('derived_tokens').select('jti').where('exp', '<=', c.now).limit(limit),
        )
        .executeTakeFirst();
      return r.numDeletedRows;
    },
    // Introspection answers an expired token inactive without looking here.
    'revoked_tokens.expired': async (c, limit) => {
      const r = await db
        .deleteFrom('revoked_tokens')
        .where(
          'seq',
          'in',
          db.selectFrom('revoked_tokens').select('seq').where('exp', '<=', c.now).limit(limit),
        )
        .executeTakeFirst();
      return r.numDeletedRows;
    },
    'revoked_clients.expired': async (c, limit) => {
      const r = await db
        .deleteFrom('revoked_clients')
        .where(
          'client_id',
          'in',
          db
            .selectFrom('revoked_clients')
            .select('client_id')
            .where('exp', '<=', c.now - FEED_GRACE_SECONDS)
            .limit(limit),
        )
        .executeTakeFirst();
      return r.numDeletedRows;
    },
    // The newest event always stays: the feed's last cursor is its seq, and a
    // reader whose cursor lies beyond the last cursor is told to start over
    // (docs/state-feed.md). Removing it would send every reader back to 0.
    'token_events.expired': async (c, limit) => {
      const r = await db
        .deleteFrom('token_events')
        .where(
          'seq',
          'in',
          db
            .selectFrom('token_events')
            .select('seq')
            .where('exp', '<=', c.now - FEED_GRACE_SECONDS)
            .where(
              'seq',
              '<',
              db.selectFrom('token_events').select((eb) => eb.fn.max('seq').as('top')),
            )
            .limit(limit),
        )
        .executeTakeFirst();
      return r.numDeletedRows;
    },
    'audit_log.old': async (c, limit) => {
      const r = await db
        .deleteFrom('audit_log')
        .where(
          'id',
          'in',
          db.selectFrom('audit_log').select('id').where('at', '<', c.auditBefore).limit(limit),
        )
        .executeTakeFirst();
      return r.numDeletedRows;
    },
    // Each granularity has its own retention; a bucket goes once it starts before its cutoff.
    'usage_counts.old': async (c, limit) => {
      const r = await db
        .deleteFrom('usage_counts')
        .where(
          'id',
          'in',
          db
            .selectFrom('usage_counts')
            .select('id')
            .where((eb) =>
              eb.or(
                (['minute', 'hour', 'day'] as const).map((g) =>
                  eb.and([eb('granularity', '=', g), eb('bucket_start', '<', c.usageBefore[g])]),
                ),
              ),
            )
            .limit(limit),
        )
        .executeTakeFirst();
      return r.numDeletedRows;
    },
  };

  /**
   * Revoking a user's tokens finds their families through these rows, and
   * each family's access tokens through its id (token-revocation.ts). So a
   * row goes only when it is spent (its successor, written in the same
   * transaction, holds the family; the newest row is never spent) or when no
   * access token of its family is still live: a family is never lost while
   * revoking it still matters.
   */
  async function deleteRefreshTokens(
    selects: (eb: ExpressionBuilder<Aliased, 'r'>) => Expression<SqlBool>,
    c: PruneCutoffs,
    limit: number,
  ): Promise<bigint> {
    const candidates = db
      .selectFrom('refresh_tokens as r')
      .select('r.id')
      .where((eb) =>
        eb.and([
          selects(eb),
          eb.or([
            eb('r.spent_at', 'is not', null),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('derived_tokens as d')
                  .select('d.jti')
                  .where('d.parent_kind', '=', 'refresh_family')
                  .whereRef('d.parent_id', '=', 'r.family_id')
                  .where('d.exp', '>', c.now - FEED_GRACE_SECONDS),
              ),
            ),
          ]),
        ]),
      )
      .limit(limit);
    const r = await db
      .deleteFrom('refresh_tokens')
      .where('id', 'in', candidates)
      .executeTakeFirst();
    return r.numDeletedRows;
  }

  return {
    targets: Object.keys(batches) as PruneTarget[],
    async pruneBatch(target, cutoffs, limit) {
      return Number(await batches[target](cutoffs, limit));
    },
  };
}
