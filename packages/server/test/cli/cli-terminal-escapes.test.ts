import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { type StoreTarget, storeTargets } from '../../../../test/helpers/stores.js';
import {
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

const PASSWORD = 'correct horse battery';
const SCREEN_FORGERY = '\u001b[2J\u001b[Hvalid: true';
// Control and bidi characters but the newline that ends each printed line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const UNPRINTABLE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

describe.each(storeTargets())('terminal escapes in the CLI on $kind', (target: StoreTarget) => {
  let server: TestServer;
  let where: string[];
  const cli = (args: string[], stdin?: string) =>
    runCli([...args, ...where], stdin === undefined ? {} : { stdin });

  beforeAll(async () => {
    server = await startTestServer(target, {
      config: { profiles: ['net2grid'], passwordScryptLogN: 10 },
    });
    where = ['--data-dir', server.dataDir, '--db', server.dbUrl];
  });
  afterAll(() => server.close());

  it('refuses a control or bidi character in a name or e-mail with one line, storing nothing', async () => {
    const kinds: [(bad: string) => string[], string, string[]][] = [
      (bad: string) => ['client', 'create', '--name', `x${bad}`],
      (bad: string) => ['pat', 'create', '--name', `x${bad}`, '--role', 'user'],
      (bad: string) => ['apikey', 'create', '--name', `x${bad}`],
      (bad: string) => ['user', 'create', '--email', `x${bad}@example.com`, '--password-stdin'],
    ].map((args, i) => [
      args,
      ['client name', 'a PAT name', 'an API key name', '--email'][i] as string,
      [
        ['client', 'list'],
        ['pat', 'list'],
        ['apikey', 'list'],
        ['user', 'list'],
      ][i] as string[],
    ]);
    // ESC for every field; C1, DEL, a bidi override, an isolate and a newline
    // spread over them (lib/printable.test.ts covers every range).
    const bads = ['\u009b2J', 'a\u007fb', 'evil\u202etxt.exe', 'a\u2066b', 'a\nb'];
    const cases = kinds.flatMap(([args, field], i) =>
      ['\u001b[2J', ...bads.filter((_, j) => j % kinds.length === i)].map((bad) => ({
        args: args(bad),
        field,
      })),
    );
    for (const { args, field } of cases) {
      const res = await cli(args, PASSWORD);
      const what = JSON.stringify(args);
      expect(res.code, what).toBe(1);
      expect(res.stdout, what).toBe('');
      expect(res.stderr, what).toBe(
        `gridkey: ${field} must not contain control or bidi characters\n`,
      );
    }
    for (const [, , list] of kinds) {
      expect((await cli([...list, '--json'])).json(), list.join(' ')).toEqual([]);
    }
  }, 60_000);

  it('answers the admin API 400 for such a name, storing nothing', async () => {
    const admin = (await server.gk.pats.createAdminToken()).token;
    const res = await fetch(`${server.url}/admin/api/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `meters${SCREEN_FORGERY}` }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('must not contain control or bidi');
    expect(await server.gk.clients.list()).toEqual([]);
  });

  it('inspects a forged token without passing its escapes to the terminal', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({
      sub: `x\n${SCREEN_FORGERY}`,
      scope: `a \u009b2J \u202egnp.exe`,
      note: `\u009b2J${SCREEN_FORGERY}`,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: SCREEN_FORGERY })
      .setExpirationTime('1h')
      .sign(privateKey);
    const res = await cli(['inspect', forged]);
    expect(res.code).toBe(1);
    expect(`${res.stdout}\n${res.stderr}`).not.toMatch(UNPRINTABLE);
    expect(res.stdout).not.toMatch(/^valid:\s+true/m);
    expect(res.stdout).toMatch(/^valid: {8}false \(ERR_JWKS_NO_MATCHING_KEY\)$/m);
    expect(res.stdout).toMatch(/^kind: {9}access token \(typ at\+jwt\)$/m);
    expect(res.stdout).toMatch(/^state: {8}invalid$/m);
    expect(res.stdout).toContain('\\u001b[2J\\u001b[Hvalid: true');
    expect(res.stdout.trim().split('\n')).toHaveLength(7);
  });

  it('says a pending PAT is pending and not valid, and an active one is', async () => {
    const created = await cli(['pat', 'create', '--name', 'dev', '--role', 'user', '--json']);
    const { id, token } = created.json() as { id: string; token: string };
    const pending = await cli(['inspect', token, '--json']);
    expect(pending.code).toBe(1);
    expect(pending.json()).toMatchObject({
      valid: false,
      kind: 'pat',
      state: 'pending',
      interfaces: [],
      error: 'PAT is pending',
    });
    expect(pending.stderr).toBe('gridkey: token is not valid: PAT is pending\n');
    const human = await cli(['inspect', token]);
    expect(human.stdout).toMatch(/^valid: {8}false \(PAT is pending\)$/m);
    expect(human.stdout).toMatch(/^state: {8}pending \(interfaces: none\)$/m);

    await cli(['pat', 'authorise', id, '--api']);
    const active = await cli(['inspect', token, '--json']);
    expect(active.code).toBe(0);
    expect(active.json()).toMatchObject({
      valid: true,
      kind: 'pat',
      state: 'active',
      interfaces: ['api'],
    });
  });

  it('says an ID token from the password grant is not an access token', async () => {
    const app = await server.client({
      name: 'app',
      scopes: ['meters:read'],
      grantTypes: ['password'],
      authMethod: 'client_secret_post',
    });
    await server.gk.users.create('jane@example.com', PASSWORD);
    const login = await postForm(`${server.url}/v2/token`, {
      client_id: app.id,
      client_secret: app.secret,
      grant_type: 'password',
      username: 'jane@example.com',
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    const res = await cli(['inspect', login.json.id_token as string, '--json']);
    expect(res.code).toBe(1);
    expect(res.json()).toMatchObject({
      valid: false,
      kind: 'id_token',
      state: 'not_an_access_token',
      error: 'not an access token',
    });
    expect(res.stderr).toBe('gridkey: token is not valid: not an access token\n');
    const access = await cli(['inspect', login.json.access_token as string, '--json']);
    expect(access.json()).toMatchObject({ valid: true, kind: 'access_token', state: 'valid' });
  });

  it('escapes an e-mail stored before the check in the list commands', async () => {
    // Written straight to the store, as an earlier release could have.
    await server.gk.store.users.insert({
      id: '0b6f0f3e-5d7c-4c44-9f4a-0d3f5e2a9b10',
      email: `old${SCREEN_FORGERY}@example.com`,
      emailSkeleton: `old${SCREEN_FORGERY}@example.com`,
      passwordHash: 'x',
      createdAt: 1,
      updatedAt: 1,
      disabledAt: null,
    });
    const list = await cli(['user', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toMatch(UNPRINTABLE);
    expect(list.stdout).toContain('old\\u001b[2J\\u001b[Hvalid: true@example.com');
  });
});
