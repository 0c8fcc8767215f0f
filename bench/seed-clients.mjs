// Seeds extra clients straight into a gridkey SQLite database, in one transaction, so the
// benchmark can show that the cost of a token request does not grow with the number of clients.
// The rows are never used to authenticate: they only make the clients table big.
import { randomBytes } from 'node:crypto';
import { importDependency } from './resolve-dependency.mjs';

const { default: Database } = await importDependency('better-sqlite3');

// The columns this seeder writes. Checked against the live schema so drift fails loudly.
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
      'gridkey `clients` schema changed; update bench/seed-clients.mjs. ' +
        `Missing columns: [${missing.join(', ')}]; ` +
        `unknown required columns: [${unfillable.join(', ')}]; ` +
        `actual columns: [${columns.map((column) => column.name).join(', ')}]`,
    );
  }
}

export function seedClients(databasePath, count) {
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
