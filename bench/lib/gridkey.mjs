// The server under test: the gridkey CLI (fixtures, `serve`), a fresh data directory for each
// target, and the clients seeded into it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BUILT_GRIDKEY_BUNDLE,
  BUILT_GRIDKEY_CLI,
  GRIDKEY_CLI,
  importDependency,
} from './config.mjs';
import { onInterrupt } from './processes.mjs';

/** Fails early, with the remedy, when the server has not been built. */
export function checkBuilt(cli = GRIDKEY_CLI) {
  const built = cli === BUILT_GRIDKEY_CLI ? BUILT_GRIDKEY_BUNDLE : cli;
  if (!existsSync(built)) {
    throw new Error(`${built} not found; build the server first (npm run build)`);
  }
}

// `--json` prints one JSON document; tolerate log lines around it.
function parseJsonOutput(stdout) {
  for (const text of [stdout, ...stdout.split('\n').reverse()]) {
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed === 'object') return parsed;
    } catch {
      // Not this one.
    }
  }
  return undefined;
}

/**
 * Runs one CLI command against `dataDir` with `--json` (and `input` on stdin) and resolves with
 * what it printed, parsed.
 */
export function gridkeyCli(args, { dataDir, env = {}, input = '', cli = GRIDKEY_CLI }) {
  const what = `gridkey ${args.slice(0, 2).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [cli, ...args, '--data-dir', dataDir, '--json'],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${what} failed: ${stderr.trim() || error.message}`));
          return;
        }
        const parsed = parseJsonOutput(stdout);
        if (parsed === undefined) reject(new Error(`${what} printed no JSON: ${stdout}`));
        else resolve(parsed);
      },
    );
    child.stdin.end(input);
  });
}

/** The node arguments of `gridkey serve` on loopback. */
export function serveArgs({ dataDir, port, flags = [], cli = GRIDKEY_CLI }) {
  return [
    cli,
    'serve',
    '--data-dir',
    dataDir,
    '--host',
    '127.0.0.1',
    '--port',
    `${port}`,
    ...flags,
  ];
}

/** A fresh temporary data directory; `cleanup` removes it, also on Ctrl-C until `forget()`. */
export async function tempDataDir(prefix) {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const cleanup = () => rm(dataDir, { recursive: true, force: true });
  const forget = onInterrupt(cleanup);
  return { dataDir, cleanup, forget };
}

// The columns the seeder writes. Checked against the live schema so drift fails loudly.
const SEEDED_COLUMNS = [
  'client_id',
  'name',
  'secret_hash',
  'auth_method',
  'grant_types',
  'scopes',
  'audiences',
  'access_token_ttl_seconds',
  'created_at',
  'updated_at',
];

function checkSchema(db) {
  const columns = db.prepare('PRAGMA table_info(clients)').all();
  if (columns.length === 0) {
    throw new Error('gridkey database has no `clients` table; did `client create` run first?');
  }
  const present = new Set(columns.map((column) => column.name));
  const missing = SEEDED_COLUMNS.filter((name) => !present.has(name));
  // A NOT NULL column without a default that we do not know about would make every insert fail.
  const unfillable = columns
    .filter((column) => column.notnull && column.dflt_value === null && !column.pk)
    .map((column) => column.name)
    .filter((name) => !SEEDED_COLUMNS.includes(name));
  if (missing.length > 0 || unfillable.length > 0) {
    throw new Error(
      'gridkey `clients` schema changed; update the seeder in bench/lib/gridkey.mjs. ' +
        `Missing columns: [${missing.join(', ')}]; ` +
        `unknown required columns: [${unfillable.join(', ')}]; ` +
        `actual columns: [${columns.map((column) => column.name).join(', ')}]`,
    );
  }
}

/**
 * Inserts `count` extra clients straight into a gridkey SQLite database, in one transaction, so
 * the bench can show that the cost of a token request does not grow with the number of clients.
 * The rows are never used to authenticate: they only make the clients table big.
 */
async function seedClients(databasePath, count) {
  const { default: Database } = await importDependency('better-sqlite3');
  const db = new Database(databasePath);
  try {
    checkSchema(db);
    const insert = db.prepare(
      `INSERT INTO clients (${SEEDED_COLUMNS.join(', ')}) VALUES (${SEEDED_COLUMNS.map(() => '?').join(', ')})`,
    );
    const now = Math.floor(Date.now() / 1000);
    const insertAll = db.transaction(() => {
      for (let index = 0; index < count; index += 1) {
        insert.run(
          randomBytes(16).toString('base64url'),
          `seeded-${index}`,
          randomBytes(32).toString('hex'),
          'client_secret_basic',
          'client_credentials',
          'read',
          '',
          3600,
          now,
          now,
        );
      }
    });
    insertAll();
    return db.prepare('SELECT COUNT(*) AS total FROM clients').get().total;
  } finally {
    db.close();
  }
}

/** A gridkey target of `npm run bench`: the bench client plus `extraClients` seeded ones. */
export function gridkeyTarget({ extraClients, env = {} }) {
  return {
    async prepare(port) {
      checkBuilt();
      // `cleanup` stays registered for Ctrl-C when this succeeds: whoever runs the target
      // registers the same function again (a no-op) and unregisters it once it has cleaned up.
      const { dataDir, cleanup, forget } = await tempDataDir('gridkey-bench-');
      try {
        // The load is far beyond the default budget of 60 tokens a minute per client.
        const client = await gridkeyCli(
          ['client', 'create', '--name', 'bench', '--token-budget', '1000000'],
          { dataDir },
        );
        const totalClients = await seedClients(join(dataDir, 'gridkey.db'), extraClients);
        return {
          nodeArgs: serveArgs({ dataDir, port }),
          env,
          readyPath: '/readyz',
          tokenPath: '/oauth2/token',
          credentials: { clientId: client.client_id, clientSecret: client.client_secret },
          details: { totalClients },
          dataDir,
          cleanup,
        };
      } catch (error) {
        await cleanup();
        forget();
        throw error;
      }
    },
  };
}
