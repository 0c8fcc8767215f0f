import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';

/** The example's tables, as Kysely sees them. */
export interface EnergyTables {
  meters: { id: string; name: string; location: string; unit: string };
  /** One row per meter and quarter hour; `at` is the interval start in unix milliseconds. */
  readings: { meter_id: string; at: number; kwh: number };
}

/** The example's database handle. */
export type EnergyDb = Kysely<EnergyTables>;

/** The meters the database is seeded with. */
export const SEED_METERS = Object.freeze([
  { id: 'm-1001', name: 'Office block A', location: 'Utrecht, NL', unit: 'kWh', baseKwh: 2.5 },
  { id: 'm-1002', name: 'Warehouse', location: 'Rotterdam, NL', unit: 'kWh', baseKwh: 6 },
  { id: 'm-1003', name: 'Charging hub', location: 'Eindhoven, NL', unit: 'kWh', baseKwh: 11 },
]);

const QUARTER_HOUR_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The seeded week: Monday 2026-01-05T00:00Z (inclusive) to Monday 2026-01-12T00:00Z (exclusive). */
export const SEED_WEEK = Object.freeze({
  from: Date.UTC(2026, 0, 5),
  to: Date.UTC(2026, 0, 12),
});

/** Quarter hours in the seeded week, per meter: 7 × 96 = 672. */
export const SEED_READINGS_PER_METER = (SEED_WEEK.to - SEED_WEEK.from) / QUARTER_HOUR_MS;

/**
 * The seeded consumption of a quarter hour: a daily sine around the meter's
 * base, lowest at 00:00 UTC and highest at 12:00, rounded to watt-hours. A
 * pure function of time, so tests can compute any expected value.
 *
 * @example
 * ```ts
 * seedKwh(2.5, Date.UTC(2026, 0, 5, 12)); // 4
 * ```
 */
export function seedKwh(baseKwh: number, at: number): number {
  const phase = ((at % DAY_MS) / DAY_MS) * 2 * Math.PI;
  return Math.round(baseKwh * (1 - 0.6 * Math.cos(phase)) * 1000) / 1000;
}

/**
 * Opens the SQLite database at `path` (`:memory:` for a private one), creates
 * the tables if missing and seeds them if there are no meters yet.
 *
 * @example
 * ```ts
 * const db = await openEnergyDb(':memory:');
 * await db.selectFrom('meters').selectAll().execute(); // 3 meters
 * await db.destroy();
 * ```
 */
export async function openEnergyDb(path: string): Promise<EnergyDb> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SQLite(path);
  // A second process (the example started twice) waits instead of failing at once.
  database.pragma('busy_timeout = 5000');
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<EnergyTables>({ dialect: new SqliteDialect({ database }) });
  try {
    await createTables(db);
    await seedIfEmpty(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

async function createTables(db: EnergyDb): Promise<void> {
  await db.schema
    .createTable('meters')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .execute();
  // The primary key is what makes a second reading for the same quarter hour a conflict.
  await db.schema
    .createTable('readings')
    .ifNotExists()
    .addColumn('meter_id', 'text', (c) => c.notNull().references('meters.id'))
    .addColumn('at', 'integer', (c) => c.notNull())
    .addColumn('kwh', 'real', (c) => c.notNull())
    .addPrimaryKeyConstraint('readings_pk', ['meter_id', 'at'])
    .execute();
}

async function seedIfEmpty(db: EnergyDb): Promise<void> {
  await db.connection().execute(async (conn) => {
    // IMMEDIATE takes the write lock before looking: two processes starting on
    // a new file cannot both seed, nor fail upgrading a read lock (SQLITE_BUSY).
    await sql`begin immediate`.execute(conn);
    try {
      const existing = await conn.selectFrom('meters').select('id').limit(1).execute();
      if (existing.length === 0) await insertSeed(conn);
      await sql`commit`.execute(conn);
    } catch (err) {
      await sql`rollback`.execute(conn);
      throw err;
    }
  });
}

async function insertSeed(db: EnergyDb): Promise<void> {
  await db
    .insertInto('meters')
    .values(SEED_METERS.map(({ id, name, location, unit }) => ({ id, name, location, unit })))
    .execute();
  for (const meter of SEED_METERS) {
    const rows = [];
    for (let at = SEED_WEEK.from; at < SEED_WEEK.to; at += QUARTER_HOUR_MS) {
      rows.push({ meter_id: meter.id, at, kwh: seedKwh(meter.baseKwh, at) });
    }
    // 3 columns × 96 rows stays under SQLite's 999 bound parameters of older builds.
    for (let i = 0; i < rows.length; i += 96) {
      await db
        .insertInto('readings')
        .values(rows.slice(i, i + 96))
        .execute();
    }
  }
}
