import * as oauth from 'oauth4webapi';
import { afterEach, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  FakeClock,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

const PASSWORD = 'correct horse battery';
const spec = {
  scopes: ['a'],
  grantTypes: ['password', 'refresh_token'],
  authMethod: 'client_secret_post',
};

describe.each(storeTargets())(
  'password lock-out, refresh expiry and a real client on $kind',
  (target) => {
    let server: TestServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    /** A server with jane and an app allowed the password grant; `login` posts one attempt. */
    async function janeAndApp(config: Record<string, unknown>) {
      server = await startTestServer(target, { config: { passwordScryptLogN: 10, ...config } });
      const s = server;
      const app = await s.client({ name: 'app', ...spec });
      await s.gk.users.create('jane@example.com', PASSWORD);
      const login = (password: string, username = 'jane@example.com') =>
        postForm(`${s.url}/oauth2/token`, {
          grant_type: 'password',
          username,
          password,
          client_id: app.id,
          client_secret: app.secret,
        });
      return { login };
    }

    it('locks a username out with 429 and Retry-After, even for the right password', async () => {
      const { login: attempt } = await janeAndApp({ passwordFailuresPerUsername: 3 });
      for (let i = 0; i < 3; i++) expect((await attempt('wrong')).status).toBe(400);
      const locked = await attempt(PASSWORD);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(locked.json.error).toBe('too_many_requests');
      // Case and spacing do not make a new username.
      expect((await attempt(PASSWORD, ' JANE@example.com')).status).toBe(429);
    });

    it('counts a burst of parallel guesses before checking them', async () => {
      const { login } = await janeAndApp({ passwordFailuresPerUsername: 5 });
      const results = await Promise.all(Array.from({ length: 20 }, () => login('wrong')));
      expect(results.filter((r) => r.status === 400)).toHaveLength(5);
      expect(results.filter((r) => r.status === 429)).toHaveLength(15);
    });

    it('gives a successful login its reserved attempt back', async () => {
      const { login } = await janeAndApp({ passwordFailuresPerUsername: 2 });
      for (let i = 0; i < 5; i++) expect((await login(PASSWORD)).status).toBe(200);
      expect((await login('wrong')).status).toBe(400);
      expect((await login(PASSWORD)).status).toBe(200);
    });

    it('locks an address out across usernames', async () => {
      const { login } = await janeAndApp({
        passwordFailuresPerAddress: 2,
        passwordFailuresPerUsername: 100,
      });
      expect((await login('x', 'a@example.com')).status).toBe(400);
      expect((await login('x', 'b@example.com')).status).toBe(400);
      expect((await login(PASSWORD, 'jane@example.com')).status).toBe(429);
    });

    it('expires refresh tokens after their lifetime and families after their absolute lifetime', async () => {
      const clock = new FakeClock();
      server = await startTestServer(target, {
        clock,
        config: {
          passwordScryptLogN: 10,
          refreshTokenTtlSeconds: 1000,
          refreshTokenFamilyMaxSeconds: 2500,
        },
      });
      const app = await server.client({ name: 'app', ...spec });
      await server.gk.users.create('jane@example.com', PASSWORD);
      const form = { client_id: app.id, client_secret: app.secret };
      const url = `${server.url}/oauth2/token`;
      const first = (
        await postForm(url, {
          ...form,
          grant_type: 'password',
          username: 'jane@example.com',
          password: PASSWORD,
        })
      ).json;
      clock.advance(1000);
      expect(
        (
          await postForm(url, {
            ...form,
            grant_type: 'refresh_token',
            refresh_token: first.refresh_token as string,
          })
        ).json.error,
      ).toBe('invalid_grant');
      const second = (
        await postForm(url, {
          ...form,
          grant_type: 'password',
          username: 'jane@example.com',
          password: PASSWORD,
        })
      ).json;
      let current = second.refresh_token as string;
      for (let i = 0; i < 2; i++) {
        clock.advance(999);
        const res = await postForm(url, {
          ...form,
          grant_type: 'refresh_token',
          refresh_token: current,
        });
        expect(res.status).toBe(200);
        current = res.json.refresh_token as string;
      }
      // 1998 s into a 2500 s family: the next token lives 502 s, not 1000.
      clock.advance(502);
      expect(
        (await postForm(url, { ...form, grant_type: 'refresh_token', refresh_token: current })).json
          .error,
      ).toBe('invalid_grant');
    });

    it('with a grace window, refuses a quick replay without revoking the family', async () => {
      const clock = new FakeClock();
      server = await startTestServer(target, {
        clock,
        config: { passwordScryptLogN: 10, refreshTokenReuseGraceSeconds: 10 },
      });
      const app = await server.client({ name: 'app', ...spec });
      await server.gk.users.create('jane@example.com', PASSWORD);
      const form = { client_id: app.id, client_secret: app.secret };
      const url = `${server.url}/oauth2/token`;
      const first = (
        await postForm(url, {
          ...form,
          grant_type: 'password',
          username: 'jane@example.com',
          password: PASSWORD,
        })
      ).json;
      const second = (
        await postForm(url, {
          ...form,
          grant_type: 'refresh_token',
          refresh_token: first.refresh_token as string,
        })
      ).json;
      clock.advance(5);
      expect(
        (
          await postForm(url, {
            ...form,
            grant_type: 'refresh_token',
            refresh_token: first.refresh_token as string,
          })
        ).json.error,
      ).toBe('invalid_grant');
      expect(
        (
          await postForm(url, {
            ...form,
            grant_type: 'refresh_token',
            refresh_token: second.refresh_token as string,
          })
        ).status,
      ).toBe(200);
    });

    it('serves oauth4webapi doing password, then refresh', async () => {
      server = await startTestServer(target, { config: { passwordScryptLogN: 10 } });
      const app = await server.client({ name: 'app', ...spec });
      await server.gk.users.create('jane@example.com', PASSWORD);
      const insecure = { [oauth.allowInsecureRequests]: true };
      const issuer = new URL(server.url);
      const as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
      );
      expect(as.grant_types_supported).toEqual(
        expect.arrayContaining(['password', 'refresh_token']),
      );
      const client = { client_id: app.id };
      const auth = oauth.ClientSecretPost(app.secret);
      const login = await oauth.processGenericTokenEndpointResponse(
        as,
        client,
        await oauth.genericTokenEndpointRequest(
          as,
          client,
          auth,
          'password',
          { username: 'jane@example.com', password: PASSWORD },
          insecure,
        ),
      );
      expect(login.refresh_token).toMatch(/^gkr_/);
      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(
          as,
          client,
          auth,
          login.refresh_token as string,
          insecure,
        ),
      );
      expect(refreshed.access_token).not.toBe(login.access_token);
      expect(refreshed.refresh_token).not.toBe(login.refresh_token);
      expect(oauth.getValidatedIdTokenClaims(refreshed)?.email).toBe('jane@example.com');
    });
  },
);
