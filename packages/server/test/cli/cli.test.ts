import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { type StoreTarget, storeTargets } from '../../../../test/helpers/stores.js';

describe.each(storeTargets())('gridkey CLI on $kind', (target: StoreTarget) => {
  let db: Awaited<ReturnType<StoreTarget['create']>>;
  let where: string[];
  const cli = (...args: string[]) => runCli([...args, ...where]);

  beforeAll(async () => {
    db = await target.create();
    where = ['--data-dir', db.dataDir, '--db', db.dbUrl];
  });
  afterAll(() => db.cleanup());

  it('creates a client and prints the DESIGN.md JSON, secret shown once', async () => {
    const res = await cli(
      'client',
      'create',
      '--name',
      'meters',
      '--scope',
      'meters:read readings:read',
      '--auth',
      'client_secret_post',
      '--ttl',
      '900',
      '--audience',
      'https://api.test',
      '--json',
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = res.json() as Record<string, unknown>;
    expect(out).toMatchObject({
      name: 'meters',
      scope: 'meters:read readings:read',
      token_endpoint_auth_method: 'client_secret_post',
      access_token_ttl_seconds: 900,
      audiences: ['https://api.test'],
      grant_types: ['client_credentials'],
    });
    expect(out.client_id).toMatch(/^[0-9a-f]{32}$/);
    expect(out.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const show = await cli('client', 'show', out.client_id as string, '--json');
    expect(show.code).toBe(0);
    expect(show.stdout).not.toContain(out.client_secret as string);
    expect(show.json()).toMatchObject({ client_id: out.client_id, name: 'meters' });

    const list = await cli('client', 'list', '--json');
    expect(list.stdout).not.toContain(out.client_secret as string);
    expect((list.json() as { client_id: string }[]).map((c) => c.client_id)).toContain(
      out.client_id,
    );
  });

  it('registers a resource server with --resource-server, shown in show and list', async () => {
    const rs = (
      await cli('client', 'create', '--name', 'energy-api', '--resource-server', '--json')
    ).json() as Record<string, unknown>;
    expect(rs.resource_server).toBe(true);
    const plain = (await cli('client', 'create', '--name', 'plain', '--json')).json() as Record<
      string,
      unknown
    >;
    expect(plain.resource_server).toBe(false);
    expect((await cli('client', 'show', rs.client_id as string, '--json')).json()).toMatchObject({
      resource_server: true,
    });
    const listed = (await cli('client', 'list', '--json')).json() as Record<string, unknown>[];
    expect(listed.find((c) => c.client_id === rs.client_id)?.resource_server).toBe(true);
    expect(listed.find((c) => c.client_id === plain.client_id)?.resource_server).toBe(false);
  });

  it('rotates a secret and deletes a client', async () => {
    const created = (await cli('client', 'create', '--name', 'temp', '--json')).json() as Record<
      string,
      string
    >;
    const rotated = await cli('client', 'rotate-secret', created.client_id as string, '--json');
    expect(rotated.code).toBe(0);
    const out = rotated.json() as Record<string, string>;
    expect(out.client_id).toBe(created.client_id);
    expect(out.client_secret).not.toBe(created.client_secret);
    const deleted = await cli('client', 'delete', created.client_id as string, '--json');
    expect(deleted.json()).toEqual({ client_id: created.client_id, deleted: true });
    const gone = await cli('client', 'show', created.client_id as string);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`gridkey: no client with id ${created.client_id}\n`);
  });

  it('answers unknown ids, bad flags and bad values with one line and a non-zero exit', async () => {
    for (const args of [
      ['client', 'show', 'nope'],
      ['client', 'delete', 'nope'],
      ['client', 'rotate-secret', 'nope'],
      ['client', 'create', '--name', 'x', '--auth', 'private_key_jwt'],
      ['client', 'create', '--name', 'x', '--ttl', 'soon'],
      ['client', 'create', '--name', 'x', '--ttl', '999999'],
      ['client', 'create', '--name', 'x', '--grants', 'implicit'],
      ['client', 'create', '--name', 'x', '--scope', 'bad"scope'],
      ['client', 'create'],
      ['client', 'list', '--bogus'],
      ['keys', 'wobble'],
    ]) {
      const res = await cli(...args);
      expect(res.code, args.join(' ')).not.toBe(0);
      expect(res.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(res.stderr, args.join(' ')).toMatch(/^gridkey: /);
    }
    expect(
      ((await cli('client', 'list', '--json')).json() as { name: string }[]).map((c) => c.name),
    ).not.toContain('x');
  });

  it('creates, lists and revokes login tokens; the token is shown once', async () => {
    const customer = '9796513c-e811-4b75-b2eb-b36b9f1a1b8c';
    const res = await cli(
      'login-token',
      'create',
      '--customer',
      customer.toUpperCase(),
      '--scope',
      'entity_consumptions',
      '--expires',
      '2099-01-01T00:00:00Z',
      '--json',
    );
    expect(res.stderr).toBe('');
    const out = res.json() as Record<string, unknown>;
    expect(out).toMatchObject({
      customer_uuid: customer,
      subject_uuid: customer,
      scope: 'entity_consumptions',
      status: 'active',
      expires_at: '2099-01-01T00:00:00.000Z',
    });
    expect(out.id).toEqual(expect.any(Number));
    expect(out.login_token).toMatch(/^[0-9a-f]{64}$/);
    const list = await cli('login-token', 'list', '--customer', customer, '--json');
    expect(list.stdout).not.toContain(out.login_token as string);
    expect((list.json() as { id: number }[]).map((t) => t.id)).toContain(out.id);
    const revoked = await cli('login-token', 'revoke', String(out.id), '--json');
    expect(revoked.json()).toEqual({ id: out.id, revoked: true });
    const after = (await cli('login-token', 'list', '--json')).json() as {
      id: number;
      status: string;
    }[];
    expect(after.find((t) => t.id === out.id)?.status).toBe('revoked');
    for (const args of [
      ['login-token', 'create', '--customer', 'nope'],
      ['login-token', 'create', '--customer', customer, '--expires', 'tomorrow'],
      ['login-token', 'create', '--customer', customer, '--expires', '2001-01-01T00:00:00Z'],
      ['login-token', 'revoke', '999999'],
      ['login-token', 'revoke', 'abc'],
      ['login-token'],
    ]) {
      const bad = await cli(...args);
      expect(bad.code, args.join(' ')).toBe(1);
      expect(bad.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('lists and rotates keys', async () => {
    const list = await cli('keys', 'list', '--json');
    expect(list.code).toBe(0);
    const keys = list.json() as { kid: string; alg: string; status: string }[];
    expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(list.stdout).not.toMatch(/"d"|private/);
    const rotated = (await cli('keys', 'rotate', '--json')).json() as {
      created: { status: string }[];
      retired: string[];
    };
    expect(rotated.created.map((k) => k.status)).toEqual(['next', 'next']);
    expect(rotated.retired.sort()).toEqual(keys.map((k) => k.kid).sort());
  });

  it('inspects a token: claims, scopes, time left; rejects a tampered one', async () => {
    const { startTestServer, basic, postForm } = await import(
      '../../../../test/helpers/test-server.js'
    );
    const server = await startTestServer(target);
    try {
      const client = await server.client({ name: 'i', scopes: ['a', 'b'] });
      const res = await postForm(
        `${server.url}/oauth2/token`,
        { grant_type: 'client_credentials' },
        {
          authorization: basic(client.id, client.secret),
        },
      );
      const token = res.json.access_token as string;
      const here = ['--data-dir', server.dataDir, '--db', server.dbUrl];
      const local = await runCli(['inspect', token, '--json', ...here]);
      expect(local.code).toBe(0);
      expect(local.json()).toMatchObject({
        valid: true,
        revoked: false,
        scopes: ['a', 'b'],
        claims: { client_id: client.id },
      });
      expect((local.json() as { seconds_left: number }).seconds_left).toBeGreaterThan(3500);

      const remote = await runCli([
        'inspect',
        token,
        '--jwks',
        `${server.url}/.well-known/jwks.json`,
        '--json',
      ]);
      expect(remote.code).toBe(0);
      expect(remote.json()).toMatchObject({ valid: true, claims: { jti: decodeJwt(token).jti } });

      const [h, p] = token.split('.');
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(token), scope: 'admin' })).toString('base64url')}.${token.split('.')[2]}`;
      expect(p).toBeDefined();
      const bad = await runCli(['inspect', forged, '--json', ...here]);
      expect(bad.code).toBe(1);
      expect(bad.json()).toMatchObject({
        valid: false,
        error: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      });
      expect(bad.stderr).toBe(
        'gridkey: token is not valid: ERR_JWS_SIGNATURE_VERIFICATION_FAILED\n',
      );

      const junk = await runCli(['inspect', 'not-a-jwt', ...here]);
      expect(junk.code).toBe(1);
      expect(junk.stderr).toBe('gridkey: not a JWT (expected three base64url parts)\n');
    } finally {
      await server.close();
    }
  });
});

describe('gridkey CLI without a database', () => {
  it('fails with one line when the database is unreachable', async () => {
    const res = await runCli(['client', 'list', '--db', 'postgres://nobody@127.0.0.1:1/none']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^gridkey: cannot open PostgreSQL database: .*\n$/);
    expect(res.stderr.split('\n')).toHaveLength(2);
  });

  it('refuses a database URL of another kind', async () => {
    const res = await runCli(['client', 'list', '--db', 'mysql://x']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^gridkey: --db must be a sqlite:PATH, .* \(got 'mysql:\/\/x'\)\n$/);
  });
});
