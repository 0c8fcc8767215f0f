import type { FastifyInstance } from 'fastify';
import type { EnergyDb } from '../db.js';
import { ApiError } from '../error-style.js';
import {
  MAX_RANGE_DAYS,
  MeterParams,
  type NewReading,
  NewReadingsBody,
  ReadingsQuery,
} from './readings-schema.js';

const DAY_MS = 24 * 60 * 60 * 1000;
// Well under SQLite's 999 bound parameters per statement (3 per row).
const INSERT_CHUNK_ROWS = 300;

/**
 * `GET /meters/:id/readings?from&to` (`readings:read`) and
 * `POST /meters/:id/readings` (`readings:write`).
 *
 * The window is half-open, `from <= at < to`, so consecutive windows
 * (a day, then the next) never count a reading twice.
 *
 * @example
 * ```ts
 * registerReadingRoutes(app, db);
 * // GET /meters/m-1001/readings?from=2026-01-05T00:00:00Z&to=2026-01-05T01:00:00Z
 * // -> 200 {"meter":"m-1001","from":"…","to":"…","readings":[{"at":"2026-01-05T00:00:00.000Z","kwh":1},…]}
 * ```
 */
export function registerReadingRoutes(app: FastifyInstance, db: EnergyDb): void {
  app.get<{ Params: MeterParams; Querystring: ReadingsQuery }>(
    '/meters/:id/readings',
    {
      schema: { params: MeterParams, querystring: ReadingsQuery },
      config: { gridkey: { scopes: ['readings:read'], interface: 'api' } },
    },
    async (request) => {
      const from = parseInstant(request.query.from, 'from');
      const to = parseInstant(request.query.to, 'to');
      if (from > to) throw new ApiError(400, 'invalid_request', 'from must not be after to');
      if (to - from > MAX_RANGE_DAYS * DAY_MS) {
        throw new ApiError(
          400,
          'invalid_request',
          `from and to may be at most ${MAX_RANGE_DAYS} days apart`,
        );
      }
      const meter = await requireMeter(db, request.params.id);
      const rows = await db
        .selectFrom('readings')
        .select(['at', 'kwh'])
        .where('meter_id', '=', meter)
        .where('at', '>=', from)
        .where('at', '<', to)
        .orderBy('at')
        .execute();
      return {
        meter,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        readings: rows.map(toWire),
      };
    },
  );

  app.post<{ Params: MeterParams; Body: NewReading | NewReading[] }>(
    '/meters/:id/readings',
    {
      schema: { params: MeterParams, body: NewReadingsBody },
      config: { gridkey: { scopes: ['readings:write'], interface: 'api' } },
    },
    async (request, reply) => {
      const meter = await requireMeter(db, request.params.id);
      const input = Array.isArray(request.body) ? request.body : [request.body];
      const rows = input.map((r, i) => ({
        meter_id: meter,
        at: parseInstant(r.at, Array.isArray(request.body) ? `body[${i}].at` : 'body.at'),
        kwh: r.kwh,
      }));
      const seen = new Set<number>();
      for (const { at } of rows) {
        if (seen.has(at)) {
          throw new ApiError(
            409,
            'conflict',
            `the body holds more than one reading at ${new Date(at).toISOString()}`,
          );
        }
        seen.add(at);
      }
      await insertAllOrNothing(db, meter, rows);
      return reply.code(201).send({ meter, readings: rows.map(toWire) });
    },
  );
}

/** Stores every row or, if any quarter hour already has a reading, none. */
async function insertAllOrNothing(
  db: EnergyDb,
  meter: string,
  rows: { meter_id: string; at: number; kwh: number }[],
): Promise<void> {
  try {
    await db.transaction().execute(async (trx) => {
      // Checked inside the transaction so that the answer can name the reading;
      // the primary key stays the guard against another process writing meanwhile.
      const taken = await trx
        .selectFrom('readings')
        .select('at')
        .where('meter_id', '=', meter)
        .where(
          'at',
          'in',
          rows.map((r) => r.at),
        )
        .orderBy('at')
        .limit(1)
        .executeTakeFirst();
      if (taken !== undefined) {
        throw new ApiError(
          409,
          'conflict',
          `meter ${meter} already has a reading at ${new Date(taken.at).toISOString()}`,
        );
      }
      for (let i = 0; i < rows.length; i += INSERT_CHUNK_ROWS) {
        await trx
          .insertInto('readings')
          .values(rows.slice(i, i + INSERT_CHUNK_ROWS))
          .execute();
      }
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new ApiError(409, 'conflict', `meter ${meter} already has one of these readings`);
    }
    throw err;
  }
}

async function requireMeter(db: EnergyDb, id: string): Promise<string> {
  const meter = await db.selectFrom('meters').select('id').where('id', '=', id).executeTakeFirst();
  if (meter === undefined) throw new ApiError(404, 'not_found', `no meter with id ${id}`);
  return meter.id;
}

/**
 * The schema has checked the form; this catches the few RFC 3339 values
 * that JavaScript cannot represent (a leap second, a year past 275760).
 */
function parseInstant(value: string, name: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ApiError(400, 'invalid_request', `${name} is not a date-time this API can store`);
  }
  return ms;
}

const toWire = (r: { at: number; kwh: number }) => ({
  at: new Date(r.at).toISOString(),
  kwh: r.kwh,
});
