import type { FastifyInstance } from 'fastify';
import { InvalidRequestError } from '../errors.js';
import type { Gridkey } from '../gridkey.js';
import { nowSeconds } from '../lib/clock.js';

const CURSOR = /^(0|[1-9][0-9]{0,14})$/;

function parseCursor(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !CURSOR.test(value)) {
    throw new InvalidRequestError(`${name} must be a non-negative whole number`);
  }
  return Number(value);
}

/**
 * `GET /revocations?after=CURSOR`: revoked, still-unexpired jtis in commit
 * order. Verifiers poll it and keep `next_cursor`; an entry leaves the feed
 * when its token expires, since an expired token fails verification anyway.
 */
export function registerRevocationFeed(app: FastifyInstance, gk: Gridkey) {
  app.get('/revocations', async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const after = parseCursor(query.after, 'after', 0);
    const pageSize = gk.config.revocationFeedPageSize;
    const limit = Math.min(parseCursor(query.limit, 'limit', pageSize), pageSize) || pageSize;
    const entries = await gk.store.revocations.listAfter(after, nowSeconds(gk.clock), limit);
    const last = entries.at(-1);
    reply.header('cache-control', 'no-store');
    return {
      revocations: entries.map((e) => ({ jti: e.jti, exp: e.exp, revoked_at: e.revokedAt })),
      next_cursor: String(last?.seq ?? after),
      has_more: entries.length === limit,
    };
  });
}
