import { describe, expect, it } from 'vitest';
import { frontEnds } from './front-ends.js';

/**
 * Users and revocations through the CLI and the admin API over one
 * operations layer: the same action gives the same description and leaves
 * the same audit entry, whoever acts; a refused field is named as each front
 * end spells it; a password is never in an audit entry, a log line or an
 * answer.
 */
describe('user and revocation operations through the CLI and the admin API', () => {
  /** Every password this test sends, from either front end. */
  const passwords = new Set<string>();
  /** Everything either front end answered or printed. */
  const outputs: string[] = [];
  const env = { GRIDKEY_PASSWORD_SCRYPT_LOG_N: '10' };

  const fe = frontEnds({
    config: { passwordScryptLogN: 10 },
    env,
    onAnswer: (_method, _path, text) => outputs.push(text),
    onPrint: (_args, stdout, stderr) => outputs.push(stdout, stderr),
  });
  const { api, cliWith: cli } = fe;
  const password = (text: string) => {
    passwords.add(text);
    return text;
  };
  const cliUser = async (email: string) => {
    const res = await cli(
      ['user', 'create', '--email', email, '--password-stdin'],
      password(`pw of ${email}`),
    );
    expect(res.code, res.stderr).toBe(0);
    return String(res.out?.id);
  };
  const { auditOf, cliActor } = fe;
  /** What differs between two users: who they are and when things happened to them. */
  const strip = ({
    id: _id,
    email: _email,
    created_at: _created,
    disabled_at: _disabled,
    ...rest
  }: Record<string, unknown>) => rest;

  it('creates the same user from either front end, and audits who did it', async () => {
    const viaCli = await cli(
      ['user', 'create', '--email', 'Cli@Example.com', '--password-stdin'],
      password('a long cli password'),
    );
    const viaApi = await api('POST', '/admin/api/users', {
      email: 'Api@Example.com',
      password: password('a long api password'),
    });
    expect(viaCli.code, viaCli.stderr).toBe(0);
    expect(viaApi.status).toBe(201);
    expect(viaCli.out).toMatchObject({ email: 'cli@example.com', status: 'active' });
    expect(viaApi.json).toMatchObject({ email: 'api@example.com', status: 'active' });
    expect(Object.keys(viaCli.out ?? {})).toEqual(Object.keys(viaApi.json));
    expect(strip(viaCli.out ?? {})).toEqual(strip(viaApi.json));

    const [cliEntry] = await auditOf(String(viaCli.out?.id));
    const [apiEntry] = await auditOf(String(viaApi.json.id));
    expect(cliEntry).toMatchObject({ actor: cliActor, action: 'user.create', address: 'cli' });
    expect(cliEntry?.detail).toEqual({ email: 'cli@example.com' });
    expect(apiEntry).toMatchObject({ action: 'user.create', address: '127.0.0.1' });
    expect(apiEntry?.actor).toMatch(/^pat:/);
    expect(apiEntry?.detail).toEqual({ email: 'api@example.com' });

    const listed = await cli(['user', 'list']);
    const apiListed = await api('GET', '/admin/api/users');
    expect(listed.out).toEqual(apiListed.json);
  });

  it('audits every CLI action on a user with the cli actor', async () => {
    const id = await cliUser('audited@example.com');
    const set = await cli(
      ['user', 'set-password', 'audited@example.com', '--password-stdin'],
      password('a newer password'),
    );
    expect(set.out).toEqual({ id, email: 'audited@example.com', password_set: true });
    expect(
      await fe.server.gk.users.authenticate('audited@example.com', 'a newer password'),
    ).toEqual(expect.objectContaining({ id }));
    expect((await cli(['user', 'revoke-tokens', id])).out).toEqual({
      id,
      email: 'audited@example.com',
      tokens_revoked: true,
    });
    expect((await cli(['user', 'disable', id])).out).toMatchObject({
      id,
      status: 'disabled',
      disabled: true,
    });
    expect((await cli(['user', 'delete', 'audited@example.com'])).out).toEqual({
      id,
      email: 'audited@example.com',
      deleted: true,
    });
    const entries = (await auditOf(id)).reverse();
    expect(entries.map((e) => e.action)).toEqual([
      'user.create',
      'user.set_password',
      'user.revoke_tokens',
      'user.disable',
      'user.delete',
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({ actor: cliActor, address: 'cli' });
      expect(e.detail).toEqual({ email: 'audited@example.com' });
    }
  });

  it('answers every user action from the admin API as the CLI does, audited alike', async () => {
    const viaCli = await cliUser('twin-cli@example.com');
    const viaApi = await cliUser('twin-api@example.com');
    const both = async (
      args: (who: string) => string[],
      request: (id: string) => [string, string, unknown?],
      stdin?: string,
    ) => {
      const c = await cli(args(viaCli), stdin);
      const [method, path, body] = request(viaApi);
      const a = await api(method, path, body);
      expect(c.code, c.stderr).toBe(0);
      expect(a.status, JSON.stringify(a.json)).toBe(200);
      expect(Object.keys(c.out ?? {})).toEqual(Object.keys(a.json));
      expect(strip(c.out ?? {})).toEqual(strip(a.json));
    };
    const pw = password('the twins’ new password');
    await both(
      (who) => ['user', 'set-password', who, '--password-stdin'],
      (id) => ['POST', `/admin/api/users/${id}/set-password`, { password: pw }],
      pw,
    );
    expect(await fe.server.gk.users.authenticate('twin-api@example.com', pw)).toBeDefined();
    await both(
      (who) => ['user', 'revoke-tokens', who],
      (id) => ['POST', `/admin/api/users/${id}/revoke-tokens`],
    );
    await both(
      (who) => ['user', 'disable', who],
      (id) => ['POST', `/admin/api/users/${id}/disable`],
    );
    await both(
      (who) => ['user', 'delete', who],
      (id) => ['DELETE', `/admin/api/users/${id}`],
    );
    expect((await api('DELETE', `/admin/api/users/${viaApi}`)).status).toBe(404);
    expect((await api('POST', '/admin/api/users/nope/set-password', { password: pw })).status).toBe(
      404,
    );

    const actions = async (id: string) =>
      (await auditOf(id))
        .filter((e) => e.outcome === 'ok')
        .reverse()
        .map((e) => [e.action, e.detail]);
    const cliActions = (await actions(viaCli)).map(([a]) => a);
    const apiActions = (await actions(viaApi)).map(([a]) => a);
    // Both created by the CLI; every later action once from each front end.
    expect(cliActions).toEqual(apiActions);
    expect(apiActions).toEqual([
      'user.create',
      'user.set_password',
      'user.revoke_tokens',
      'user.disable',
      'user.delete',
    ]);
    const [again, ...done] = await auditOf(viaApi);
    // Deleting it again was refused, and audited so.
    expect(again).toMatchObject({
      action: 'user.delete',
      outcome: 'refused',
      detail: { error: 'not_found' },
    });
    expect(again?.actor).toMatch(/^pat:/);
    for (const e of done.slice(0, 4)) expect(e.actor).toMatch(/^pat:/);
  });

  it('revokes one access token by jti from either front end, audited as token.revoke', async () => {
    const viaCli = await cli(['token', 'revoke', 'jti-from-the-cli']);
    const viaApi = await api('POST', '/admin/api/tokens/jti-from-the-api/revoke');
    expect(viaCli.out).toEqual({ jti: 'jti-from-the-cli', revoked: true });
    expect(viaApi.json).toEqual({ jti: 'jti-from-the-api', revoked: true });
    expect(await fe.server.gk.store.revocations.isRevoked('jti-from-the-cli')).toBe(true);
    expect(await fe.server.gk.store.revocations.isRevoked('jti-from-the-api')).toBe(true);
    const [cliEntry] = await auditOf('jti-from-the-cli');
    const [apiEntry] = await auditOf('jti-from-the-api');
    expect(cliEntry).toMatchObject({ actor: cliActor, action: 'token.revoke', address: 'cli' });
    expect(apiEntry).toMatchObject({ action: 'token.revoke', address: '127.0.0.1' });
    expect(apiEntry?.actor).toMatch(/^pat:/);
    expect(cliEntry?.detail).toEqual(apiEntry?.detail);
  });

  it('names a refused field as each front end spells it', async () => {
    const short = password('Qx7-pw');
    const shortApi = await api('POST', '/admin/api/users', {
      email: 'short@example.com',
      password: short,
    });
    expect(shortApi.status).toBe(400);
    expect(shortApi.json.error_description).toBe('password must have at least 8 characters');
    const shortCli = await cli(
      ['user', 'create', '--email', 'short@example.com', '--password-stdin'],
      short,
    );
    expect(shortCli.code).toBe(1);
    expect(shortCli.stderr).toBe(
      'gridkey: the password on standard input must have at least 8 characters\n',
    );

    const id = await cliUser('reset@example.com');
    const resetApi = await api('POST', `/admin/api/users/${id}/set-password`, { password: short });
    expect(resetApi.json.error_description).toBe('password must have at least 8 characters');
    const resetCli = await cli(['user', 'set-password', id, '--password-stdin'], short);
    expect(resetCli.stderr).toMatch(/^gridkey: the password on standard input must have/);

    const badApi = await api('POST', '/admin/api/users', {
      email: 'not-an-email',
      password: password('a long enough password'),
    });
    expect(badApi.json.error_description).toBe('email is not an e-mail address');
    const badCli = await cli(
      ['user', 'create', '--email', 'not-an-email', '--password-stdin'],
      'a long enough password',
    );
    expect(badCli.stderr).toBe('gridkey: --email is not an e-mail address: "not-an-email"\n');

    const takenApi = await api('POST', '/admin/api/users', {
      email: 'RESET@example.com',
      password: 'a long enough password',
    });
    expect(takenApi.json.error_description).toBe(
      'email is taken: a user with that e-mail, or one that looks like it, exists',
    );
    const takenCli = await cli(
      ['user', 'create', '--email', 'r\u0435set@example.com', '--password-stdin'],
      'a long enough password',
    );
    expect(takenCli.stderr).toMatch(/^gridkey: --email is taken: .*looks like it, exists\n$/);

    const jtiCli = await cli(['token', 'revoke', 'a b']);
    expect(jtiCli.stderr).toBe('gridkey: JTI must be 1 to 200 visible ASCII characters\n');
    expect(
      (await api('POST', `/admin/api/tokens/${encodeURIComponent('a b')}/revoke`)).status,
    ).toBe(400);
    // Refused by the operation (the CLI) is audited as refused, naming the
    // field only; the admin API's path schema refuses it before any operation.
    expect((await auditOf('a b')).map((e) => [e.actor, e.outcome, e.detail])).toEqual([
      [cliActor, 'refused', { error: 'invalid_field', field: 'jti' }],
    ]);
  });

  it('never puts a password in an audit entry, a log line or an answer', async () => {
    const audit = JSON.stringify(await fe.server.gk.audit.list({ limit: 1000 }));
    const logs = fe.server.logs();
    expect(passwords.size).toBeGreaterThan(5);
    expect(outputs.length).toBeGreaterThan(20);
    for (const pw of passwords) {
      expect(audit).not.toContain(pw);
      expect(logs).not.toContain(pw);
      for (const out of outputs) expect(out).not.toContain(pw);
    }
  });
});
