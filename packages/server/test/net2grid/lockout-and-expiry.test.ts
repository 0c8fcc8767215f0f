import { request } from 'node:http';
import * as oauth from 'oauth4webapi';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  FakeClock,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

const PASSWORD = 'correct horse battery';
/** Extra loopback addresses the client side binds to; the server listens on 127.0.0.1. */
const ATTACKER = '127.0.0.2';
const OWNER = '127.0.0.3';

/** POSTs a form from `localAddress` (no keep-alive, so each request is its own connection). */
function postFormFrom(url: string, localAddress: string, form: Record<string, string>) {
  const body = new URLSearchParams(form).toString();
  return new Promise<{ status: number; retryAfter: number; json: Record<string, unknown> }>(
    (resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          localAddress,
          agent: false,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              retryAfter: Number(res.headers['retry-after']),
              json: JSON.parse(text) as Record<string, unknown>,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
}
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

    /**
     * A server with jane and an app allowed the password grant; `login` posts
     * one attempt from 127.0.0.1, `loginFrom` from another loopback address;
     * `checks` counts the passwords actually checked.
     */
    async function janeAndApp(config: Record<string, unknown>) {
      server = await startTestServer(target, { config: { passwordScryptLogN: 10, ...config } });
      const s = server;
      // The address budgets must see the TCP peer, not a forwarded address.
      expect(s.config.trustProxy).toBeUndefined();
      const app = await s.client({ name: 'app', ...spec });
      await s.gk.users.create('jane@example.com', PASSWORD);
      const form = (password: string, username: string) => ({
        grant_type: 'password',
        username,
        password,
        client_id: app.id,
        client_secret: app.secret,
      });
      const url = `${s.url}/oauth2/token`;
      const login = (password: string, username = 'jane@example.com') =>
        postForm(url, form(password, username));
      const loginFrom = (address: string, password: string, username = 'jane@example.com') =>
        postFormFrom(url, address, form(password, username));
      const checks = vi.spyOn(s.gk.users, 'authenticate');
      return { login, loginFrom, checks };
    }

    it('never lets failures for a username refuse its owner from a clean address', async () => {
      const { login, loginFrom, checks } = await janeAndApp({
        passwordFailuresPerUsername: 3,
        passwordFailuresPerUsernamePerAddress: 2,
        passwordFailuresPerAddress: 6,
      });
      const wrong = [];
      for (let i = 0; i < 3; i++) wrong.push(await loginFrom(ATTACKER, 'wrong'));
      expect(wrong.map((r) => r.status)).toEqual([400, 400, 400]);
      expect(checks).toHaveBeenCalledTimes(3);
      // During the attack the owner mistypes once from 127.0.0.1: still checked.
      expect((await login('typo')).status).toBe(400);
      expect(checks).toHaveBeenCalledTimes(4);
      // Past the username's budget the attacker's guesses are answered like a
      // wrong password without being checked, the right one included; case
      // and spacing do not make a new username.
      const unchecked = [
        await loginFrom(ATTACKER, 'wrong'),
        await loginFrom(ATTACKER, 'wrong', ' JANE@Example.com'),
        await loginFrom(ATTACKER, PASSWORD),
      ];
      for (const res of unchecked) {
        expect(res.status).toBe(400);
        expect(res.json).toEqual(wrong[0]?.json);
      }
      expect(wrong[0]?.json.error).toBe('invalid_grant');
      expect(checks).toHaveBeenCalledTimes(4);
      // The owner logs in from a clean address and from the one with a typo.
      const owner = await loginFrom(OWNER, PASSWORD);
      expect(owner.status).toBe(200);
      expect(owner.json.access_token).toEqual(expect.any(String));
      expect((await login(PASSWORD)).status).toBe(200);
      expect(checks).toHaveBeenCalledTimes(6);
      // The attacking address is now over its own budget: 429 before anything.
      const refused = await loginFrom(ATTACKER, PASSWORD);
      expect(refused.status).toBe(429);
      expect(refused.retryAfter).toBeGreaterThan(0);
      expect(refused.json.error).toBe('too_many_requests');
      expect((await loginFrom(ATTACKER, 'x', 'bob@example.com')).status).toBe(429);
      expect(checks).toHaveBeenCalledTimes(6);
      // Any address that keeps failing for jane stops being heard for her.
      expect((await login('wrong')).status).toBe(400);
      expect(checks).toHaveBeenCalledTimes(7);
      expect((await login(PASSWORD)).status).toBe(400);
      expect(checks).toHaveBeenCalledTimes(7);
      expect((await loginFrom(OWNER, PASSWORD)).status).toBe(200);
    });

    it('counts a burst of parallel guesses before checking them', async () => {
      const { login, loginFrom, checks } = await janeAndApp({
        passwordFailuresPerUsername: 5,
        passwordFailuresPerUsernamePerAddress: 3,
      });
      const results = await Promise.all(Array.from({ length: 20 }, () => login('wrong')));
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(400));
      expect(checks).toHaveBeenCalledTimes(5);
      // The burst's address is throttled for jane; her own address is not.
      expect((await login(PASSWORD)).status).toBe(400);
      expect((await loginFrom(OWNER, PASSWORD)).status).toBe(200);
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
