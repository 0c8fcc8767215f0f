import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm, startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { FileTokenStore } from '../src/stores/index.js';
import { builtModule, type Loopback, sqlite, startProxy } from './helpers.js';

const USERNAME = 'fleet@example.com';
const PASSWORD = 'depot password 42';
const RENEWALS = 20;

/**
 * One application process: a password client over the shared file store,
 * asking for a token every 10 ms until told to stop on stdin, and printing
 * every event and token it got as JSON lines.
 */
const CHILD = (client: string, stores: string) => `
import { TokenClient } from ${JSON.stringify(client)};
import { FileTokenStore } from ${JSON.stringify(stores)};
const [tokenUrl, clientId, clientSecret, storePath] = process.argv.slice(2);
const client = TokenClient.password({
  tokenUrl, clientId, clientSecret, auth: 'client_secret_post',
  username: ${JSON.stringify(USERNAME)}, password: ${JSON.stringify(PASSWORD)},
  store: new FileTokenStore(storePath), storeKey: 'fleet',
  renewAt: 0.5,
  onEvent: (event) => console.log(JSON.stringify({ event })),
});
let stop = false;
process.stdin.on('data', () => { stop = true; });
const tokens = new Set();
let errors = 0;
while (!stop) {
  try { tokens.add(await client.getToken()); } catch (err) { errors++; console.log(JSON.stringify({ error: String(err) })); }
  await new Promise((r) => setTimeout(r, 10));
}
// A refresh in flight at exit would lose the rotated token: let it land.
await client.close();
console.log(JSON.stringify({ done: { tokens: tokens.size, errors } }));
process.exit(0);
`;

type Line = {
  event?: { type: string; source?: string; background?: boolean };
  error?: string;
  done?: { tokens: number; errors: number };
};

describe('two processes sharing a refresh-token family through a FileTokenStore', () => {
  let server: TestServer;
  let proxy: Loopback;
  let app: { id: string; secret: string };
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer(sqlite(), {
      config: {
        profiles: ['net2grid'],
        passwordScryptLogN: 10,
        // One-second tokens, so that 20 renewals take seconds, not hours.
        accessTokenMinTtlSeconds: 1,
        refreshGrantsPerUserPerMinute: 10_000,
      },
    });
    proxy = await startProxy(server.url);
    app = await server.client({
      name: 'fleet',
      scopes: ['meters:read'],
      grantTypes: ['password', 'refresh_token'],
      authMethod: 'client_secret_post',
      accessTokenTtlSeconds: 1,
    });
    await server.gk.users.create(USERNAME, PASSWORD);
    dir = await mkdtemp(join(tmpdir(), 'gridkey-client-shared-'));
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(`renews ${RENEWALS} times between them, each refresh token presented once, and the family stays alive`, async () => {
    const script = join(dir, 'app.mjs');
    await writeFile(script, CHILD(builtModule('index'), builtModule('stores/index')));
    const storePath = join(dir, 'tokens.json');
    const children = [0, 1].map(() => {
      const child = spawn(
        process.execPath,
        [script, `${proxy.url}/v2/token`, app.id, app.secret, storePath],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      return {
        child,
        exited,
        lines: () =>
          out
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Line),
      };
    });
    const grants = () => proxy.log.map((r) => new URLSearchParams(r.body));
    const refreshes = () => grants().filter((g) => g.get('grant_type') === 'refresh_token');
    // Bounded: 20 renewals of one-second tokens at half their life take ~10 s.
    const deadline = Date.now() + 60_000;
    while (refreshes().length < RENEWALS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const { child } of children) child.stdin.end('stop\n');
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes).toEqual([0, 0]);

    expect(refreshes().length).toBeGreaterThanOrEqual(RENEWALS);
    // One login between the two processes, then refreshes only.
    expect(grants().filter((g) => g.get('grant_type') === 'password')).toHaveLength(1);
    // Every refresh token was presented exactly once: no reuse for the
    // server to detect (RFC 9700 §4.14.2), so no family revocation.
    const presented = refreshes().map((g) => g.get('refresh_token'));
    expect(new Set(presented).size).toBe(presented.length);
    for (const { lines } of children) {
      const all = lines();
      expect(all.filter((l) => l.error !== undefined)).toEqual([]);
      expect(all.filter((l) => l.event?.type === 'failed')).toEqual([]);
      expect(all.at(-1)?.done?.errors).toBe(0);
    }
    // Both processes took tokens the other renewed, instead of renewing again.
    for (const { lines } of children) {
      expect(lines().some((l) => l.event?.type === 'renewed' && l.event.source === 'store')).toBe(
        true,
      );
    }
    // The family is alive: the stored refresh token is the current one.
    const record = await new FileTokenStore(storePath).load('fleet');
    const res = await postForm(`${server.url}/v2/token`, {
      grant_type: 'refresh_token',
      refresh_token: record?.data.refreshToken ?? '',
      client_id: app.id,
      client_secret: app.secret,
    });
    expect(res.status).toBe(200);
  }, 90_000);
});
