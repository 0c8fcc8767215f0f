import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ServeProcess, serveProcess } from '../../../../test/helpers/serve-process.js';
import { postgresUrl, type StoreTarget, storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

describe.each(storeTargets())('operations endpoints on $kind', (target) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close().catch(() => {});
    server = undefined;
  });

  it('answers /healthz and /readyz, and /readyz 503 once the store is gone', async () => {
    server = await startTestServer(target);
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    await server.gk.store.close();
    const down = await fetch(`${server.url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'unavailable', reason: 'store unreachable' });
  });

  it('counts tokens by grant and outcome, and times the token endpoint', async () => {
    server = await startTestServer(target);
    const client = await server.client();
    const url = `${server.url}/oauth2/token`;
    await postForm(
      url,
      { grant_type: 'client_credentials' },
      { authorization: basic(client.id, client.secret) },
    );
    await postForm(
      url,
      { grant_type: 'client_credentials' },
      { authorization: basic(client.id, client.secret) },
    );
    await postForm(
      url,
      { grant_type: 'client_credentials' },
      { authorization: basic(client.id, 'wrong') },
    );
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain(
      'gridkey_tokens_issued_total{grant_type="client_credentials",outcome="issued"} 2',
    );
    expect(text).toContain(
      'gridkey_tokens_issued_total{grant_type="client_credentials",outcome="invalid_client"} 1',
    );
    expect(text).toContain(
      'gridkey_token_request_duration_seconds_count{path="/oauth2/token",status="200"} 2',
    );
    expect(text).toContain(
      'gridkey_token_request_duration_seconds_count{path="/oauth2/token",status="401"} 1',
    );
  });

  it('answers unknown paths with a JSON 404', async () => {
    server = await startTestServer(target);
    const res = await fetch(`${server.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found', error_description: 'no such path' });
  });
});

// An embedded SQLite file cannot be taken away from a running server; a PostgreSQL database can.
const postgresTarget = storeTargets().find((t) => t.kind === 'postgres');

describe.skipIf(postgresTarget === undefined)('the token endpoint without its database', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close().catch(() => {});
    server = undefined;
  });

  it('answers 503 temporarily_unavailable while the database refuses connections, then recovers', async () => {
    server = await startTestServer(postgresTarget as StoreTarget);
    const client = await server.client();
    const token = () =>
      postForm(
        `${server?.url}/oauth2/token`,
        { grant_type: 'client_credentials' },
        { authorization: basic(client.id, client.secret) },
      );
    expect((await token()).status).toBe(200);
    const database = new URL(server.dbUrl).pathname.slice(1);
    const admin = new pg.Client({ connectionString: postgresUrl() });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
        [database],
      );
      // Connections the pool still held die with their backends (a lost
      // connection is a 500: its transaction may have committed); /readyz
      // uses them up, after which every request needs a new connection.
      for (let i = 0; i < 12; i++) await fetch(`${server.url}/readyz`);
      for (let i = 0; i < 3; i++) {
        const down = await token();
        expect(down.status).toBe(503);
        expect(down.headers.get('retry-after')).toBe('5');
        expect(down.json).toEqual({
          error: 'temporarily_unavailable',
          error_description: 'the database is unavailable; try again shortly',
        });
      }
      expect(server.logs()).toContain('"msg":"database unavailable"');
    } finally {
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    expect((await token()).status).toBe(200);
  });
});

describe('gridkey serve', () => {
  let server: ServeProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    server?.proc.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
    server = undefined;
    dir = undefined;
  });

  function serve(args: string[]) {
    dir = mkdtempSync(join(tmpdir(), 'gridkey-serve-'));
    server = serveProcess(['--data-dir', dir, ...args]);
    return server;
  }

  it('prints how to get a first token on an empty store, and stops cleanly on SIGTERM', async () => {
    const s = serve([]);
    const url = await s.listening;
    await vi.waitFor(() => expect(s.output().stderr).toContain(`gridkey is listening on ${url}`));
    expect(s.output().stderr).toContain(
      `curl -s -u CLIENT_ID:CLIENT_SECRET -d grant_type=client_credentials ${url}/oauth2/token`,
    );
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    // Request lines are written in batches: the last ones must still reach stdout on exit.
    expect(s.output().stdout).toMatch(/"method":"GET","path":"\/readyz","status":200/);
    expect(s.output().stdout).toContain('"msg":"shutting down"');
  });

  it('refuses an unknown profile with one line', async () => {
    const s = serve(['--profile', 'nonesuch']);
    await expect(s.listening).rejects.toThrow(
      /gridkey: unknown profile "nonesuch" \(known: standard, [a-z0-9, ]+\)/,
    );
    expect(await s.exited).toBe(1);
  });
});
