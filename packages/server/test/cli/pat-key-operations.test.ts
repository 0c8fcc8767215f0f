import { describe, expect, it } from 'vitest';
import { frontEnds } from './front-ends.js';

/**
 * PATs (admin tokens too) and signing keys through the CLI and the admin
 * API, over one operations layer: one description from both front ends,
 * every CLI action audited as `cli:<user>@<host>`, a refused field named as
 * each front end spells it, and never a token in an audit entry.
 */
describe('PAT and signing-key operations through the CLI and the admin API', () => {
  const fe = frontEnds();
  const { api, cli, auditOf, cliActor } = fe;
  const strip = ({
    id: _id,
    token: _token,
    created_at: _c,
    expires_at: _e,
    ...rest
  }: Record<string, unknown>) => rest;

  it('creates the same PAT from either front end, and audits who did it', async () => {
    const expires = '2030-01-31T00:00:00Z';
    const viaCli = await cli(
      'pat',
      'create',
      '--name',
      'meter app',
      '--role',
      'user',
      '--scope',
      'read',
      '--expires',
      expires,
    );
    const viaApi = await api('POST', '/admin/api/pats', {
      name: 'meter app',
      role: 'user',
      scope: 'read',
      expires,
    });
    expect(viaApi.status).toBe(201);
    expect(Object.keys(viaCli.out ?? {})).toEqual(Object.keys(viaApi.json));
    expect(strip(viaCli.out ?? {})).toEqual(strip(viaApi.json));
    expect(viaCli.out?.expires_at).toBe(viaApi.json.expires_at);
    expect(viaApi.json).toMatchObject({ status: 'pending', api: false, web: false });
    const [cliEntry] = await auditOf(String(viaCli.out?.id));
    const [apiEntry] = await auditOf(String(viaApi.json.id));
    expect(cliEntry).toMatchObject({ actor: cliActor, action: 'pat.create', address: 'cli' });
    expect(apiEntry).toMatchObject({ action: 'pat.create', address: '127.0.0.1' });
    expect(apiEntry?.actor).toMatch(/^pat:/);
    expect(cliEntry?.detail).toEqual(apiEntry?.detail);

    // Authorised and revoked, each from the other front end: one description.
    const cliId = String(viaCli.out?.id);
    const apiId = String(viaApi.json.id);
    const authCli = await cli('pat', 'authorise', apiId, '--api');
    const authApi = await api('POST', `/admin/api/pats/${cliId}/authorise`, { api: true });
    expect(authApi.status).toBe(200);
    expect(strip(authCli.out ?? {})).toEqual(strip(authApi.json));
    expect(authApi.json).toMatchObject({ status: 'active', api: true, web: false });
    const listed = (await cli('pat', 'list')).out as unknown as Record<string, unknown>[];
    const apiList = (await api('GET', '/admin/api/pats')).json as unknown as Record<
      string,
      unknown
    >[];
    // The admin token's own last use moves with every request: compare the rest.
    const unused = ({ last_used_at: _u, ...rest }: Record<string, unknown>) => rest;
    expect(listed.map(unused)).toEqual(apiList.map(unused));
    const revCli = await cli('pat', 'revoke', apiId);
    const revApi = await api('POST', `/admin/api/pats/${cliId}/revoke`);
    expect(strip(revCli.out ?? {})).toEqual(strip(revApi.json));
    expect(revApi.json.status).toBe('revoked');
    for (const [id, actor] of [
      [cliId, cliActor],
      [apiId, undefined],
    ] as const) {
      const entries = (await auditOf(id)).reverse();
      expect(entries.map((e) => e.action)).toEqual(['pat.create', 'pat.authorise', 'pat.revoke']);
      if (actor === cliActor) {
        expect(entries[0]?.actor).toBe(cliActor);
        expect(entries[1]?.actor).toMatch(/^pat:/);
        expect(entries[2]?.actor).toMatch(/^pat:/);
      } else {
        expect(entries[0]?.actor).toMatch(/^pat:/);
        expect(entries[1]?.actor).toBe(cliActor);
        expect(entries[2]?.actor).toBe(cliActor);
      }
    }
    const authorised = (await auditOf(cliId)).find((e) => e.action === 'pat.authorise');
    const authorisedCli = (await auditOf(apiId)).find((e) => e.action === 'pat.authorise');
    expect(authorised?.detail).toEqual({ api: true, web: false });
    expect(authorisedCli?.detail).toEqual(authorised?.detail);
  });

  it('accepts {"api": true} or {"web": true} alone; refuses neither', async () => {
    const created = await api('POST', '/admin/api/pats', { name: 'web only', role: 'viewer' });
    const id = String(created.json.id);
    const web = await api('POST', `/admin/api/pats/${id}/authorise`, { web: true });
    expect(web.status).toBe(200);
    expect(web.json).toMatchObject({ api: false, web: true, status: 'active' });
    const apiOnly = await api('POST', `/admin/api/pats/${id}/authorise`, { api: true });
    expect(apiOnly.json).toMatchObject({ api: true, web: false });
    const neither = await api('POST', `/admin/api/pats/${id}/authorise`, {});
    expect(neither.status).toBe(400);
    expect(String(neither.json.error_description)).toMatch(/^api or web must be set/);
    const cliNeither = await cli('pat', 'authorise', id);
    expect(cliNeither.code).toBe(1);
    expect(cliNeither.stderr).toMatch(/^gridkey: --api or web must be set/);
    expect(cliNeither.stderr).not.toContain('--web or both');
  });

  it('names a refused field as each front end spells it', async () => {
    const cases: [Record<string, unknown>, string[], string, RegExp][] = [
      [
        { name: 'x', role: 'constructor' },
        ['--name', 'x', '--role', 'constructor'],
        'role',
        / names an unknown role/,
      ],
      [
        { name: 'x', role: 'viewer', scope: 'write' },
        ['--name', 'x', '--role', 'viewer', '--scope', 'write'],
        'scope',
        / names .*outside the role/,
      ],
      [
        { name: '  ', role: 'viewer' },
        ['--name', '  ', '--role', 'viewer'],
        'name',
        / must be 1 to 200 characters/,
      ],
      [
        { name: 'x', role: 'viewer', expires: '2001-01-01T00:00:00Z' },
        ['--name', 'x', '--role', 'viewer', '--expires', '2001-01-01T00:00:00Z'],
        'expires',
        / must be in the future/,
      ],
    ];
    for (const [body, flags, field, problem] of cases) {
      const viaApi = await api('POST', '/admin/api/pats', body);
      expect(viaApi.status, field).toBe(400);
      expect(String(viaApi.json.error_description), field).toMatch(
        new RegExp(`^${field}${problem.source}`),
      );
      const viaCli = await cli('pat', 'create', ...flags);
      expect(viaCli.code, field).toBe(1);
      expect(viaCli.stderr, field).toMatch(new RegExp(`^gridkey: --${field}${problem.source}`));
    }
    // The admin API never repeats the submitted value.
    const role = await api('POST', '/admin/api/pats', { name: 'x', role: 'constructor' });
    expect(String(role.json.error_description)).not.toContain('constructor');

    const short = await api('POST', '/admin/api/pats', {
      name: 'short',
      role: 'viewer',
      expires: '2030-01-01T00:00:00Z',
    });
    const id = String(short.json.id);
    const longer = await api('POST', `/admin/api/pats/${id}/authorise`, {
      api: true,
      expires: '2031-01-01T00:00:00Z',
    });
    expect(longer.status).toBe(400);
    expect(String(longer.json.error_description)).toMatch(/^expires may shorten the lifetime/);
    const longerCli = await cli('pat', 'authorise', id, '--api', '--expires', '2031-01-01');
    expect(longerCli.stderr).toMatch(/^gridkey: --expires may shorten the lifetime/);
  });

  it('audits admin-token create as the CLI, and shows the token only in its output', async () => {
    const created = await cli('admin-token', 'create', '--name', 'second admin');
    const token = String(created.out?.token);
    const id = String(created.out?.id);
    expect(created.out).toMatchObject({
      name: 'second admin',
      role: 'admin',
      api: true,
      web: true,
    });
    const [entry] = await auditOf(id);
    expect(entry).toMatchObject({
      actor: cliActor,
      action: 'admin_token.create',
      address: 'cli',
      detail: { name: 'second admin' },
    });
    const listed = await cli('pat', 'list');
    expect(listed.stdout).not.toContain(token);
    const audit = JSON.stringify(await fe.server.gk.audit.list({ limit: 500 }));
    expect(audit).not.toContain(token);
    expect(audit).not.toContain(fe.admin);
    expect(audit).not.toContain('eyJ');
  });

  it('describes signing keys the same way from either front end, with ISO times', async () => {
    const viaCli = (await cli('keys', 'list')).out as unknown as Record<string, unknown>[];
    const viaApi = await api('GET', '/admin/api/keys');
    expect(viaCli).toEqual(viaApi.json);
    const [first] = viaCli;
    expect(Object.keys(first ?? {})).toEqual([
      'kid',
      'alg',
      'number',
      'status',
      'created_at',
      'active_from',
      'retired_at',
      'published_until',
    ]);
    expect(first?.active_from).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(typeof first?.number).toBe('number');
    expect(JSON.stringify(viaApi.json)).not.toMatch(/"d"|private/);
  });

  it('rotates keys from either front end: one answer, audited as whoever did it', async () => {
    const before = await fe.server.gk.store.signingKeys.list();
    const viaCli = await cli('keys', 'rotate', '--activate-in', '60');
    const viaApi = await api('POST', '/admin/api/keys/rotate');
    expect(viaApi.status).toBe(200);
    expect(Object.keys(viaCli.out ?? {})).toEqual(['created', 'retired', 'deleted']);
    expect(Object.keys(viaApi.json)).toEqual(Object.keys(viaCli.out ?? {}));
    const cliCreated = viaCli.out?.created as Record<string, unknown>[];
    const apiCreated = viaApi.json.created as Record<string, unknown>[];
    expect(cliCreated.map((k) => k.status)).toEqual(['next', 'next']);
    expect(apiCreated.map((k) => Object.keys(k))).toEqual(cliCreated.map((k) => Object.keys(k)));
    expect(cliCreated.every((k) => typeof k.number === 'number')).toBe(true);
    // The API's rotation retires the CLI's new keys at its own new keys' active_from.
    expect(viaApi.json.retired).toEqual(
      expect.arrayContaining(cliCreated.map((k) => String(k.kid))),
    );
    const listed = (await api('GET', '/admin/api/keys')).json as unknown as Record<
      string,
      unknown
    >[];
    for (const k of [...cliCreated, ...apiCreated]) {
      expect(listed.find((l) => l.kid === k.kid)).toMatchObject({
        kid: k.kid,
        number: k.number,
        active_from: k.active_from,
      });
    }
    expect(listed.length).toBeGreaterThanOrEqual(before.length + 4);

    const entries = (await fe.server.gk.audit.list({ limit: 500 })).filter(
      (e) => e.action === 'keys.rotate',
    );
    const byCli = entries.find((e) => e.actor === cliActor);
    const byApi = entries.find((e) => /^pat:/.test(e.actor));
    expect(byCli).toMatchObject({ address: 'cli', detail: { activate_in: 60 } });
    expect(byCli?.target.split(' ').sort()).toEqual(cliCreated.map((k) => String(k.kid)).sort());
    expect(byApi?.address).toBe('127.0.0.1');

    const bad = await cli('keys', 'rotate', '--activate-in', 'soon');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--activate-in must be a whole number/);
  });
});
