import { describe, expect, it } from 'vitest';
import { frontEnds } from './front-ends.js';

const CUSTOMER = '9796513c-e811-4b75-b2eb-b36b9f1a1b8c';
const OTHER = '2b1f0e8a-6c3d-4e5f-9a7b-8c9d0e1f2a3b';

/**
 * Login tokens and API keys through the CLI and the admin API, over one
 * operations layer: one description from both front ends, every CLI action
 * audited as `cli:<user>@<host>`, a refused field named as each front end
 * spells it, and a login token or key shown once, at creation: never in a
 * listing or an audit entry.
 */
describe('login-token and API-key operations through the CLI and the admin API', () => {
  /** Every login token and key either front end created. */
  const secrets = new Set<string>();
  /** Everything either front end answered or printed, but the creations. */
  const outputs: string[] = [];

  const fe = frontEnds({
    onAnswer: (method, path, text) => {
      if (method !== 'POST' || !/^\/admin\/api\/(login-tokens|api-keys)$/.test(path))
        outputs.push(text);
    },
    onPrint: (args, stdout, stderr) => {
      if (args[1] !== 'create') outputs.push(stdout, stderr);
    },
  });
  const { api, cli, auditOf, cliActor } = fe;
  const rows = (value: unknown) => value as Record<string, unknown>[];

  describe('login tokens', () => {
    const strip = ({
      id: _id,
      login_token: _token,
      created_at: _c,
      ...rest
    }: Record<string, unknown>) => rest;

    it('issues the same login token from either front end, and audits who did it', async () => {
      const viaCli = await cli(
        'login-token',
        'create',
        '--customer',
        CUSTOMER.toUpperCase(),
        '--scope',
        'entity_consumptions',
        '--expires',
        '2099-01-01T00:00:00Z',
      );
      const viaApi = await api('POST', '/admin/api/login-tokens', {
        customer_uuid: CUSTOMER.toUpperCase(),
        scope: 'entity_consumptions',
        expires: '2099-01-01T00:00:00Z',
      });
      expect(viaCli.code, viaCli.stderr).toBe(0);
      expect(viaApi.status).toBe(201);
      for (const out of [viaCli.out ?? {}, viaApi.json]) {
        expect(out.login_token).toMatch(/^[0-9a-f]{64}$/);
        secrets.add(String(out.login_token));
      }
      expect(Object.keys(viaCli.out ?? {})).toEqual(Object.keys(viaApi.json));
      expect(strip(viaCli.out ?? {})).toEqual(strip(viaApi.json));
      expect(viaApi.json).toMatchObject({
        customer_uuid: CUSTOMER,
        subject_uuid: CUSTOMER,
        status: 'active',
        expires_at: '2099-01-01T00:00:00.000Z',
      });

      const [cliEntry] = await auditOf(String(viaCli.out?.id));
      const [apiEntry] = await auditOf(String(viaApi.json.id));
      expect(cliEntry).toMatchObject({
        actor: cliActor,
        action: 'login_token.create',
        address: 'cli',
        detail: { customer_uuid: CUSTOMER },
      });
      expect(apiEntry).toMatchObject({ action: 'login_token.create', address: '127.0.0.1' });
      expect(apiEntry?.actor).toMatch(/^pat:/);
      expect(cliEntry?.detail).toEqual(apiEntry?.detail);
    });

    it('lists login tokens alike, all or one customer’s, never the tokens', async () => {
      const other = await cli('login-token', 'create', '--customer', OTHER);
      secrets.add(String(other.out?.login_token));
      const all = await cli('login-token', 'list');
      const allApi = await api('GET', '/admin/api/login-tokens');
      expect(all.out).toEqual(allApi.json);
      expect(rows(allApi.json).length).toBeGreaterThanOrEqual(3);
      const mine = await cli('login-token', 'list', '--customer', OTHER.toUpperCase());
      const mineApi = await api('GET', `/admin/api/login-tokens?customer_uuid=${OTHER}`);
      expect(mineApi.status).toBe(200);
      expect(mine.out).toEqual(mineApi.json);
      expect(rows(mineApi.json).map((t) => t.id)).toEqual([other.out?.id]);
      for (const t of rows(allApi.json)) expect(Object.keys(t)).not.toContain('login_token');
    });

    it('revokes from either front end: one answer, audited as whoever did it', async () => {
      const a = await cli('login-token', 'create', '--customer', CUSTOMER);
      const b = await cli('login-token', 'create', '--customer', CUSTOMER);
      secrets.add(String(a.out?.login_token)).add(String(b.out?.login_token));
      const aId = Number(a.out?.id);
      const bId = Number(b.out?.id);
      expect((await cli('login-token', 'revoke', String(aId))).out).toEqual({
        id: aId,
        revoked: true,
      });
      expect((await api('POST', `/admin/api/login-tokens/${bId}/revoke`)).json).toEqual({
        id: bId,
        revoked: true,
      });
      expect((await cli('login-token', 'revoke', String(bId))).out).toEqual({
        id: bId,
        revoked: true,
        already_revoked: true,
      });
      expect((await api('POST', `/admin/api/login-tokens/${aId}/revoke`)).json).toEqual({
        id: aId,
        revoked: true,
        already_revoked: true,
      });
      const listed = rows((await cli('login-token', 'list')).out);
      expect(listed.filter((t) => t.id === aId || t.id === bId).map((t) => t.status)).toEqual([
        'revoked',
        'revoked',
      ]);

      const entries = (await auditOf(String(aId))).reverse();
      expect(entries.map((e) => [e.action, e.actor === cliActor])).toEqual([
        ['login_token.create', true],
        ['login_token.revoke', true],
        ['login_token.revoke', false],
      ]);
      expect(entries[1]?.address).toBe('cli');
      expect(entries[2]?.actor).toMatch(/^pat:/);
      expect((await auditOf(String(bId))).map((e) => e.action)).toEqual([
        'login_token.revoke',
        'login_token.revoke',
        'login_token.create',
      ]);

      expect((await api('POST', '/admin/api/login-tokens/999999/revoke')).status).toBe(404);
      expect((await api('POST', '/admin/api/login-tokens/abc/revoke')).status).toBe(404);
      const unknown = await cli('login-token', 'revoke', '999999');
      expect(unknown.stderr).toBe('gridkey: no login token with id 999999\n');
      // Refused, and audited as refused, from either front end (newest first).
      const refusals = (await auditOf('999999')).map((e) => [e.outcome, e.detail, e.actor]);
      expect(refusals).toEqual([
        ['refused', { error: 'not_found' }, cliActor],
        ['refused', { error: 'not_found' }, expect.stringMatching(/^pat:/)],
      ]);
    });

    it('names a refused field as each front end spells it', async () => {
      const cases: [Record<string, unknown>, string[], string, string, RegExp][] = [
        [
          { customer_uuid: 'nope' },
          ['--customer', 'nope'],
          'customer_uuid',
          '--customer',
          /^ must be a UUID$/,
        ],
        [
          { customer_uuid: CUSTOMER, subject_uuid: 'nope' },
          ['--customer', CUSTOMER, '--subject', 'nope'],
          'subject_uuid',
          '--subject',
          /^ must be a UUID$/,
        ],
        [
          { customer_uuid: CUSTOMER, expires: '2001-01-01T00:00:00Z' },
          ['--customer', CUSTOMER, '--expires', '2001-01-01T00:00:00Z'],
          'expires',
          '--expires',
          /^ must be in the future$/,
        ],
        [
          { customer_uuid: CUSTOMER, scope: 'a"b' },
          ['--customer', CUSTOMER, '--scope', 'a"b'],
          'scope',
          '--scope',
          /^ has an invalid entry/,
        ],
      ];
      const before = (await fe.server.gk.loginTokens.list()).length;
      for (const [body, flags, field, flag, problem] of cases) {
        const viaApi = await api('POST', '/admin/api/login-tokens', body);
        expect(viaApi.status, field).toBe(400);
        const description = String(viaApi.json.error_description);
        expect(description.startsWith(field), description).toBe(true);
        expect(description.slice(field.length), field).toMatch(problem);
        const viaCli = await cli('login-token', 'create', ...flags);
        expect(viaCli.code, flag).toBe(1);
        const line = viaCli.stderr.replace(/^gridkey: /, '').trimEnd();
        expect(line.startsWith(flag), viaCli.stderr).toBe(true);
        expect(line.slice(flag.length).replace(/: .*$/, ''), flag).toMatch(problem);
      }
      expect((await api('GET', '/admin/api/login-tokens?customer_uuid=nope')).json).toMatchObject({
        error: 'invalid_request',
        error_description: 'customer_uuid must be a UUID',
      });
      expect((await cli('login-token', 'list', '--customer', 'nope')).stderr).toBe(
        'gridkey: --customer must be a UUID\n',
      );
      expect((await fe.server.gk.loginTokens.list()).length).toBe(before);
    });
  });

  describe('API keys', () => {
    const strip = ({
      id: _id,
      key: _key,
      key_hint: _hint,
      created_at: _c,
      ...rest
    }: Record<string, unknown>) => rest;

    it('creates the same API key from either front end, and audits who did it', async () => {
      const viaCli = await cli(
        'apikey',
        'create',
        '--name',
        'charger fleet',
        '--scope',
        'sessions:read',
        '--expires',
        '2099-01-01T00:00:00Z',
      );
      const viaApi = await api('POST', '/admin/api/api-keys', {
        name: 'charger fleet',
        scope: 'sessions:read',
        expires: '2099-01-01T00:00:00Z',
      });
      expect(viaCli.code, viaCli.stderr).toBe(0);
      expect(viaApi.status).toBe(201);
      for (const out of [viaCli.out ?? {}, viaApi.json]) {
        const key = String(out.key);
        expect(key).toMatch(/^gk_/);
        expect(out.key_hint).toBe(`${key.slice(0, 7)}…${key.slice(-4)}`);
        secrets.add(key);
      }
      expect(Object.keys(viaCli.out ?? {})).toEqual(Object.keys(viaApi.json));
      expect(strip(viaCli.out ?? {})).toEqual(strip(viaApi.json));
      expect(viaApi.json).toMatchObject({ name: 'charger fleet', status: 'active' });

      const [cliEntry] = await auditOf(String(viaCli.out?.id));
      const [apiEntry] = await auditOf(String(viaApi.json.id));
      expect(cliEntry).toMatchObject({
        actor: cliActor,
        action: 'api_key.create',
        address: 'cli',
        detail: { name: 'charger fleet' },
      });
      expect(apiEntry).toMatchObject({ action: 'api_key.create', address: '127.0.0.1' });
      expect(apiEntry?.actor).toMatch(/^pat:/);
      expect(cliEntry?.detail).toEqual(apiEntry?.detail);

      const listed = await cli('apikey', 'list');
      const listedApi = await api('GET', '/admin/api/api-keys');
      expect(listed.out).toEqual(listedApi.json);
      for (const k of rows(listedApi.json)) expect(Object.keys(k)).not.toContain('key');
    });

    it('revokes from either front end: one answer, audited as whoever did it', async () => {
      const a = await cli('apikey', 'create', '--name', 'a');
      const b = await cli('apikey', 'create', '--name', 'b');
      secrets.add(String(a.out?.key)).add(String(b.out?.key));
      const aId = String(a.out?.id);
      const bId = String(b.out?.id);
      expect((await cli('apikey', 'revoke', aId)).out).toEqual({ id: aId, revoked: true });
      expect((await api('POST', `/admin/api/api-keys/${bId}/revoke`)).json).toEqual({
        id: bId,
        revoked: true,
      });
      expect((await cli('apikey', 'revoke', bId)).out).toEqual({
        id: bId,
        revoked: true,
        already_revoked: true,
      });
      expect((await api('POST', `/admin/api/api-keys/${aId}/revoke`)).json).toEqual({
        id: aId,
        revoked: true,
        already_revoked: true,
      });
      const entries = (await auditOf(aId)).reverse();
      expect(entries.map((e) => [e.action, e.actor === cliActor])).toEqual([
        ['api_key.create', true],
        ['api_key.revoke', true],
        ['api_key.revoke', false],
      ]);
      expect(entries[2]?.actor).toMatch(/^pat:/);
      expect((await api('POST', '/admin/api/api-keys/no-such-id/revoke')).status).toBe(404);
      expect((await cli('apikey', 'revoke', 'no-such-id')).stderr).toBe(
        'gridkey: no API key with id no-such-id\n',
      );
      // Refused, and audited as refused, from either front end (newest first).
      const refusals = (await auditOf('no-such-id')).map((e) => [e.outcome, e.detail, e.actor]);
      expect(refusals).toEqual([
        ['refused', { error: 'not_found' }, cliActor],
        ['refused', { error: 'not_found' }, expect.stringMatching(/^pat:/)],
      ]);
    });

    it('names a refused field as each front end spells it', async () => {
      const cases: [Record<string, unknown>, string[], string, RegExp][] = [
        [{ name: '  ' }, ['--name', '  '], 'name', /^ must be 1 to 200 characters$/],
        [
          { name: 'x', expires: '2001-01-01T00:00:00Z' },
          ['--name', 'x', '--expires', '2001-01-01T00:00:00Z'],
          'expires',
          /^ must be in the future$/,
        ],
        [
          { name: 'x', scope: 'a"b' },
          ['--name', 'x', '--scope', 'a"b'],
          'scope',
          /^ has an invalid entry/,
        ],
      ];
      const before = (await fe.server.gk.apiKeys.list()).length;
      for (const [body, flags, field, problem] of cases) {
        const viaApi = await api('POST', '/admin/api/api-keys', body);
        expect(viaApi.status, field).toBe(400);
        const description = String(viaApi.json.error_description);
        expect(description.startsWith(field), description).toBe(true);
        expect(description.slice(field.length), field).toMatch(problem);
        const viaCli = await cli('apikey', 'create', ...flags);
        expect(viaCli.code, field).toBe(1);
        const line = viaCli.stderr.replace(/^gridkey: /, '').trimEnd();
        expect(line.startsWith(`--${field}`), viaCli.stderr).toBe(true);
        expect(line.slice(field.length + 2).replace(/: .*$/, ''), field).toMatch(problem);
      }
      expect((await fe.server.gk.apiKeys.list()).length).toBe(before);
    });
  });

  it('shows a login token or key once, at creation: never in an audit entry or a listing', async () => {
    const audit = JSON.stringify(await fe.server.gk.audit.list({ limit: 1000 }));
    outputs.push(
      (await cli('login-token', 'list')).stdout,
      (await cli('apikey', 'list')).stdout,
      JSON.stringify((await api('GET', '/admin/api/login-tokens')).json),
      JSON.stringify((await api('GET', '/admin/api/api-keys')).json),
      JSON.stringify((await api('GET', '/admin/api/audit?limit=1000')).json),
    );
    expect(secrets.size).toBe(9);
    for (const secret of secrets) {
      expect(audit).not.toContain(secret);
      for (const out of outputs) expect(out).not.toContain(secret);
    }
    // The key's random middle is nowhere either (its hint is the first 7 and last 4).
    for (const secret of [...secrets].filter((s) => s.startsWith('gk_'))) {
      for (const out of outputs) expect(out).not.toContain(secret.slice(7, 40));
    }
  });
});
