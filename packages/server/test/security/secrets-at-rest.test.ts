import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CUSTOMER, exchange, exchangeBody } from '../../../../test/helpers/json-api.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

/** Everything the database holds, as text: the SQLite files, or every row of every table. */
async function databaseText(server: TestServer): Promise<string> {
  if (server.dbUrl.startsWith('sqlite:')) {
    return readdirSync(server.dataDir)
      .filter((f) => f.startsWith('gridkey.db'))
      .map((f) => readFileSync(join(server.dataDir, f)).toString('latin1'))
      .join('\n');
  }
  const client = new pg.Client({ connectionString: server.dbUrl });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>(
      "select tablename from pg_tables where schemaname = 'public'",
    );
    // One query at a time: a pg client runs one at a time anyway.
    const dumps: string[] = [];
    for (const t of tables.rows) {
      dumps.push(JSON.stringify((await client.query(`select * from "${t.tablename}"`)).rows));
    }
    return dumps.join('\n');
  } finally {
    await client.end();
  }
}

const PASSWORD = 'a password nobody guesses';

describe.each(storeTargets())('secrets on $kind', (target) => {
  let server: TestServer;
  let client: { id: string; secret: string };
  let token: string;
  let loginToken: string;
  let refreshToken: string;

  beforeAll(async () => {
    server = await startTestServer(target, {
      config: { passwordScryptLogN: 10, profiles: ['enectiva'] },
    });
    client = await server.client({ name: 'secretive', scopes: ['x'] });
    await postForm(
      `${server.url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      {
        authorization: basic(client.id, 'a-wrong-secret-value'),
      },
    );
    await postForm(`${server.url}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_id: client.id,
      client_secret: client.secret,
    });
    const res = await postForm(
      `${server.url}/oauth2/token?client_secret=${client.secret}`,
      { grant_type: 'client_credentials' },
      {
        authorization: basic(client.id, client.secret),
      },
    );
    token = res.json.access_token as string;
    await postForm(
      `${server.url}/oauth2/revoke`,
      { token },
      { authorization: basic(client.id, client.secret) },
    );
    loginToken = (await server.gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: ['s'] }))
      .token;
    const exchanged = await exchange(server.url, exchangeBody(CUSTOMER, loginToken));
    expect(exchanged.status).toBe(201);
    await server.gk.users.create('jane@example.com', PASSWORD);
    const app = await server.client({
      name: 'app',
      grantTypes: ['password', 'refresh_token'],
      authMethod: 'client_secret_post',
    });
    const login = await postForm(`${server.url}/v2/token`, {
      grant_type: 'password',
      username: 'jane@example.com',
      password: PASSWORD,
      client_id: app.id,
      client_secret: app.secret,
    });
    refreshToken = login.json.refresh_token as string;
    expect(refreshToken).toMatch(/^gkr_/);
  });
  afterAll(() => server.close());

  it('stores the client secret only as a keyed hash, and no private key in clear', async () => {
    const text = await databaseText(server);
    expect(text).toContain(client.id);
    expect(text).not.toContain(client.secret);
    expect(text).not.toContain(Buffer.from(client.secret).toString('hex'));
    expect(text).not.toContain(token);
    expect(text).not.toContain(loginToken);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(refreshToken);
    expect(text).not.toContain(refreshToken.slice(4));
    expect(text).not.toMatch(/"d":"/);
    expect(text).not.toContain('PRIVATE KEY');
  });

  it('keeps secrets and tokens out of the logs, with one line per request', async () => {
    // The line is written once the response has gone out: wait for the last one.
    await vi.waitFor(() => expect(server.logs()).toContain('"path":"/v2/token"'));
    const logs = server.logs();
    expect(logs).not.toContain(client.secret);
    expect(logs).not.toContain('a-wrong-secret-value');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(loginToken);
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(refreshToken);
    expect(logs).not.toContain(basic(client.id, client.secret).slice(6));
    const requests = logs
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; path?: string; status?: number })
      .filter((l) => l.msg === 'request');
    expect(requests.map((r) => [r.path, r.status])).toEqual([
      ['/oauth2/token', 401],
      ['/oauth2/token', 401],
      ['/oauth2/token', 200],
      ['/oauth2/revoke', 200],
      ['/access_tokens', 201],
      ['/v2/token', 200],
    ]);
  });
});

/**
 * The files PostgreSQL wrote for this database since `since`: its relation
 * files and the WAL (which every commit reaches first). The cluster is the
 * test run's own and these tests run as its owner or root.
 */
async function postgresFilesText(dbUrl: string, since: number): Promise<string> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  let dataDir: string;
  let oid: string;
  try {
    await client.query('checkpoint');
    dataDir = (await client.query<{ data_directory: string }>('show data_directory')).rows[0]
      ?.data_directory as string;
    oid = String(
      (
        await client.query<{ oid: number }>(
          'select oid from pg_database where datname = current_database()',
        )
      ).rows[0]?.oid,
    );
  } finally {
    await client.end();
  }
  const texts: string[] = [];
  for (const dir of [join(dataDir, 'pg_wal'), join(dataDir, 'base', oid)]) {
    for (const f of readdirSync(dir, { withFileTypes: true })) {
      if (!f.isFile()) continue;
      const path = join(dir, f.name);
      if (dir.endsWith('pg_wal') && statSync(path).mtimeMs < since) continue;
      texts.push(readFileSync(path).toString('latin1'));
    }
  }
  expect(texts.length).toBeGreaterThan(0);
  return texts.join('\n');
}

describe.each(storeTargets())('every kind of secret on $kind', (target) => {
  let server: TestServer;
  /** Every secret issued or presented below, by what it is. */
  const secrets = new Map<string, string>();
  const started = Date.now();

  beforeAll(async () => {
    server = await startTestServer(target, {
      config: { passwordScryptLogN: 10, profiles: ['net2grid', 'enectiva'] },
    });
    const url = server.url;
    // Client secrets: the first, its replacement, and a wrong one.
    const client = await server.client({ name: 'rotated', scopes: ['x'] });
    secrets.set('first client secret', client.secret);
    const rotated = await server.gk.clients.rotateSecret(client.id);
    secrets.set('rotated client secret', rotated.secret);
    const cc = await postForm(
      `${url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(client.id, rotated.secret) },
    );
    secrets.set('client_credentials access token', cc.json.access_token as string);
    await postForm(
      `${url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(client.id, `${rotated.secret.slice(0, -2)}zz`) },
    );
    secrets.set('wrong client secret', `${rotated.secret.slice(0, -2)}zz`);
    // An API key, used at introspection.
    const apiKey = await server.gk.apiKeys.create({ name: 'meter', scopes: ['read'] });
    secrets.set('API key', apiKey.key);
    await postForm(
      `${url}/oauth2/introspect`,
      { token: apiKey.key },
      { authorization: basic(client.id, rotated.secret) },
    );
    // An admin PAT, used at the admin API, and a PAT of another role.
    const admin = await server.gk.pats.createAdminToken('ops');
    secrets.set('admin PAT', admin.token);
    await fetch(`${url}/admin/api/clients`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    const viewer = await server.gk.pats.create({ name: 'viewer', role: 'viewer' });
    secrets.set('PAT', viewer.token);
    // A login token and the access token it is exchanged for.
    const login = await server.gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: ['s'] });
    secrets.set('login token', login.token);
    const exchanged = await exchange(url, exchangeBody(CUSTOMER, login.token));
    secrets.set('exchanged access token', exchanged.json?.data.attributes.encoded as string);
    // A user: password login (access, refresh and ID token), a rotation, a
    // wrong password, and a new password.
    const password = 'first password of jane';
    await server.gk.users.create('jane@example.com', password);
    secrets.set('password', password);
    const app = await server.client({
      name: 'app',
      grantTypes: ['password', 'refresh_token'],
      authMethod: 'client_secret_post',
    });
    const creds = { client_id: app.id, client_secret: app.secret };
    const first = await postForm(`${url}/v2/token`, {
      grant_type: 'password',
      username: 'jane@example.com',
      password,
      ...creds,
    });
    expect(first.status).toBe(200);
    secrets.set('user access token', first.json.access_token as string);
    secrets.set('ID token', first.json.id_token as string);
    secrets.set('refresh token', first.json.refresh_token as string);
    const second = await postForm(`${url}/v2/token`, {
      grant_type: 'refresh_token',
      refresh_token: first.json.refresh_token as string,
      ...creds,
    });
    secrets.set('rotated refresh token', second.json.refresh_token as string);
    await postForm(`${url}/v2/token`, {
      grant_type: 'password',
      username: 'jane@example.com',
      password: 'a wrong password of jane',
      ...creds,
    });
    secrets.set('wrong password', 'a wrong password of jane');
    await server.gk.users.setPassword('jane@example.com', 'second password of jane');
    secrets.set('new password', 'second password of jane');
    // The master key, and what is derived from it.
    secrets.set('master key', readFileSync(join(server.dataDir, 'master.key'), 'utf8').trim());
    secrets.set('pepper', server.gk.secrets.pepper.toString('hex'));
    secrets.set('pepper (base64)', server.gk.secrets.pepper.toString('base64'));
  });
  afterAll(() => server.close());

  /** The forms a secret could leak in: itself, its secret part, its JWS signature. */
  const forms = (secret: string): string[] => {
    const parts = secret.split('.');
    const out = [secret];
    if (parts.length === 3) out.push(parts[2] as string);
    const underscore = secret.indexOf('_');
    if (underscore > 0 && underscore < 8) out.push(secret.slice(underscore + 1));
    return out;
  };
  const leaks = (text: string) =>
    [...secrets].filter(([, s]) => forms(s).some((f) => text.includes(f))).map(([what]) => what);

  it('leaves no secret in the database: its files, the WAL, every row', async () => {
    expect(secrets.size).toBeGreaterThanOrEqual(17);
    expect(leaks(await databaseText(server))).toEqual([]);
    if (server.dbUrl.startsWith('postgres')) {
      expect(leaks(await postgresFilesText(server.dbUrl, started))).toEqual([]);
    }
  });

  it('leaves no secret in the logs or the metrics', async () => {
    expect(leaks(server.logs())).toEqual([]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('gridkey_tokens_issued_total');
    expect(leaks(metrics)).toEqual([]);
  });
});
