import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import { usernameForLog } from '../../src/http/refusal-log.js';
import type { Database } from '../../src/store/database.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';

const PASSWORD = 'correct horse battery';
const BUDGET = 3;

describe.each(storeTargets())(
  'user grants: refresh budget, no refresh token without the grant, refusal logs on $kind',
  (target) => {
    let server: TestServer;
    let app: { id: string; secret: string };
    let noRefresh: { id: string; secret: string };
    let db: Kysely<Database>;
    let janeId: string;

    beforeAll(async () => {
      server = await startTestServer(target, {
        config: {
          profiles: ['net2grid'],
          passwordScryptLogN: 10,
          refreshGrantsPerUserPerMinute: BUDGET,
        },
      });
      const spec = { scopes: ['a'], authMethod: 'client_secret_post' };
      app = await server.client({
        name: 'app',
        grantTypes: ['password', 'refresh_token'],
        ...spec,
      });
      noRefresh = await server.client({ name: 'no-refresh', grantTypes: ['password'], ...spec });
      janeId = (await server.gk.users.create('jane@example.com', PASSWORD)).id;
      await server.gk.users.create('joe@example.com', PASSWORD);
      db = (server.gk.store as KyselyStore).db;
    });
    afterAll(() => server.close());

    const token = (client: { id: string; secret: string }, form: Record<string, string>) =>
      postForm(`${server.url}/v2/token`, {
        client_id: client.id,
        client_secret: client.secret,
        ...form,
      });
    const login = (username: string, client = app, password = PASSWORD) =>
      token(client, { grant_type: 'password', username, password });
    const refresh = (refreshToken: string) =>
      token(app, { grant_type: 'refresh_token', refresh_token: refreshToken });
    const refreshRows = async () =>
      db.selectFrom('refresh_tokens').select(['id', 'spent_at']).orderBy('id').execute();
    // RFC 7662 §4: a client introspects the tokens issued to it.
    const active = async (accessToken: string) =>
      (
        await postForm(`${server.url}/oauth2/introspect`, {
          client_id: noRefresh.id,
          client_secret: noRefresh.secret,
          token: accessToken,
        })
      ).json.active;
    const warnLines = () =>
      server
        .logs()
        .split('\n')
        .filter((l) => l.includes('"level":40'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);

    it('holds a user to the refresh budget before anything is written, and the refused token stays usable', async () => {
      let current = (await login('jane@example.com')).json.refresh_token as string;
      for (let i = 0; i < BUDGET; i++) {
        const res = await refresh(current);
        expect(res.status).toBe(200);
        current = res.json.refresh_token as string;
      }
      const before = await refreshRows();
      const refused = await refresh(current);
      expect(refused.status).toBe(429);
      expect(refused.json.error).toBe('too_many_requests');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Nothing written: the presented token is neither spent nor replaced.
      expect(await refreshRows()).toEqual(before);
      // Another user's budget is their own.
      const joe = (await login('joe@example.com')).json.refresh_token as string;
      expect((await refresh(joe)).status).toBe(200);
      const line = warnLines().find((l) => l.msg === 'request refused: over budget');
      expect(line).toMatchObject({ grant_type: 'refresh_token', client_id: app.id });
    });

    it('gives a client without the refresh_token grant no refresh token, and user revocation still reaches its access token', async () => {
      const before = (await refreshRows()).length;
      const res = await login('jane@example.com', noRefresh);
      expect(res.status).toBe(200);
      expect(res.json.refresh_token).toBeUndefined();
      expect(res.json.access_token).toEqual(expect.any(String));
      expect((await refreshRows()).length).toBe(before);
      const access = res.json.access_token as string;
      expect(await active(access)).toBe(true);
      expect(await server.gk.store.users.revokeTokens(janeId, Math.floor(Date.now() / 1000))).toBe(
        true,
      );
      expect(await active(access)).toBe(false);
    });

    it('logs failed logins and client authentications at warn with the client id and a username hash, never the secret', async () => {
      const wrong = 'not the password 123';
      expect((await login('joe@example.com', app, wrong)).status).toBe(400);
      const badSecret = await postForm(`${server.url}/v2/token`, {
        client_id: app.id,
        client_secret: 'x'.repeat(43),
        grant_type: 'password',
        username: 'joe@example.com',
        password: PASSWORD,
      });
      expect(badSecret.status).toBe(401);
      const lines = warnLines();
      expect(lines.find((l) => l.msg === 'password login failed')).toMatchObject({
        client_id: app.id,
        user: usernameForLog(server.gk.secrets.pepper, 'joe@example.com'),
        error: 'invalid_grant',
      });
      expect(lines.find((l) => l.msg === 'authentication failed')).toMatchObject({
        client_id: app.id,
        error: 'invalid_client',
      });
      const logs = server.logs();
      for (const secret of [wrong, PASSWORD, app.secret, 'joe@example.com', 'x'.repeat(43)]) {
        expect(logs).not.toContain(secret);
      }
    });
  },
);
