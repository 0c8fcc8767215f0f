// Samples what a leak or unbounded growth would show: each process's resident memory (VmRSS in
// /proc/PID/status) and open file descriptors (entries of /proc/PID/fd), and the database size
// (pg_database_size), every few seconds.
import { readdir, readFile } from 'node:fs/promises';
import { importDependency } from '../resolve-dependency.mjs';

const { default: pg } = await importDependency('pg');

export async function readProcess(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    const fds = (await readdir(`/proc/${pid}/fd`)).length;
    return { rssBytes: rssKb * 1024, fds };
  } catch {
    // The process is gone: the sample says so instead of failing the run.
    return { rssBytes: null, fds: null };
  }
}

/** A connection of its own to PostgreSQL, for setup and the size query. */
export async function connectDatabase(url) {
  const client = new pg.Client({ connectionString: url });
  // PostgreSQL going away (e.g. stopped on Ctrl-C) must not crash the harness: the next query
  // fails instead, and the sample shows the size as unknown.
  client.on('error', () => {});
  await client.connect();
  return {
    query: (text) => client.query(text),
    async bytes() {
      const { rows } = await client.query(
        'SELECT pg_database_size(current_database())::bigint AS size',
      );
      return Number(rows[0].size);
    },
    /** Each table's size (with indexes and TOAST) and exact row count. */
    async tables() {
      const { rows } = await client.query(
        `SELECT relname AS name, pg_total_relation_size(relid)::bigint AS bytes
           FROM pg_stat_user_tables ORDER BY relname`,
      );
      const result = {};
      for (const row of rows) {
        const counted = await client.query(`SELECT count(*)::bigint AS n FROM "${row.name}"`);
        result[row.name] = { bytes: Number(row.bytes), rows: Number(counted.rows[0].n) };
      }
      return result;
    },
    close: () => client.end(),
  };
}

/**
 * Takes one sample: `processes` maps a name to a pid (the nodes, redis-server), `database`
 * comes from connectDatabase, `requests()` is the running total of requests sent.
 */
export async function takeSample({ startedAt, processes, database, requests }) {
  const entries = await Promise.all(
    Object.entries(processes).map(async ([name, pid]) => [name, await readProcess(pid)]),
  );
  let databaseBytes = null;
  try {
    databaseBytes = await database.bytes();
  } catch {
    // PostgreSQL went away; the missing figure shows in the table.
  }
  return {
    t: Math.round((Date.now() - startedAt) / 1000),
    processes: Object.fromEntries(entries),
    databaseBytes,
    requests: requests(),
  };
}

/** Samples every `seconds` until stop() (which takes one last sample and returns them all). */
export function startSampling(options, seconds, onSample = () => {}) {
  const samples = [];
  let running = Promise.resolve();
  const sampleNow = (final = false) => {
    running = running.then(async () => {
      const sample = await takeSample(options);
      // The last periodic sample may already be the final one.
      if (final && sample.t - (samples.at(-1)?.t ?? -Infinity) < 2) return;
      samples.push(sample);
      onSample(sample);
    });
    return running;
  };
  const first = sampleNow();
  const timer = setInterval(() => sampleNow(), seconds * 1000);
  return {
    first,
    async stop() {
      clearInterval(timer);
      await sampleNow(true);
      return samples;
    },
  };
}
