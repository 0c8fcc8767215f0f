import type { FastifyInstance } from 'fastify';
import type { EnergyDb } from '../db.js';

/**
 * `GET /meters`: every meter, for a token with `meters:read`.
 *
 * @example
 * ```ts
 * registerMeterRoutes(app, db);
 * // GET /meters -> 200 {"meters":[{"id":"m-1001","name":"Office block A",…}]}
 * ```
 */
export function registerMeterRoutes(app: FastifyInstance, db: EnergyDb): void {
  app.get(
    '/meters',
    { config: { gridkey: { scopes: ['meters:read'], interface: 'api' } } },
    async () => ({
      meters: await db
        .selectFrom('meters')
        .select(['id', 'name', 'location', 'unit'])
        .orderBy('id')
        .execute(),
    }),
  );
}
