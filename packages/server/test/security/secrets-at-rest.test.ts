import { readdirSync, readFileSync } from 'node:fs';
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
    const dumps = await Promise.all(
      tables.rows.map(async (t) =>
        JSON.stringify((await client.query(`select * from "${t.tablename}"`)).rows),
      ),
    );
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
    server = await startTestServer(target, { config: { passwordScryptLogN: 10 } });
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
