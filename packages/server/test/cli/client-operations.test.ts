import { describe, expect, it } from 'vitest';
import { frontEnds } from './front-ends.js';

/**
 * The CLI and the admin API over one operations layer: the same action is
 * validated the same way (each front end naming the field its own way), gives
 * the same description and leaves the same audit entry, whoever acts.
 */
describe('client operations through the CLI and the admin API', () => {
  const { api, cli, auditOf, cliActor } = frontEnds();

  it('creates the same client from either front end, and audits who did it', async () => {
    const viaCli = await cli(
      'client',
      'create',
      '--name',
      'meters',
      '--scope',
      'meters:read',
      '--token-budget',
      '60',
    );
    const viaApi = await api('POST', '/admin/api/clients', {
      name: 'meters',
      scope: 'meters:read',
      token_budget: 60,
    });
    expect(viaApi.status).toBe(201);
    // The two creations may fall in different seconds: times are compared
    // by form (ISO 8601, as both front ends print them), the rest by value.
    const strip = ({
      client_id: _id,
      client_secret: _secret,
      created_at,
      updated_at,
      ...rest
    }: Record<string, unknown>) => ({
      ...rest,
      times: [created_at, updated_at].map((t) =>
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/.test(String(t)),
      ),
    });
    expect(strip(viaCli.out ?? {})).toEqual(strip(viaApi.json));
    expect(strip(viaApi.json).times).toEqual([true, true]);
    expect(Object.keys(viaCli.out ?? {})).toEqual(Object.keys(viaApi.json));
    const [cliEntry] = await auditOf(String(viaCli.out?.client_id));
    const [apiEntry] = await auditOf(String(viaApi.json.client_id));
    expect(cliEntry).toMatchObject({ actor: cliActor, action: 'client.create', address: 'cli' });
    expect(apiEntry).toMatchObject({ action: 'client.create', address: '127.0.0.1' });
    expect(apiEntry?.actor).toMatch(/^pat:/);
    expect(cliEntry?.detail).toEqual(apiEntry?.detail);
  });

  it('audits every CLI action on a client, not only PAT commands', async () => {
    const id = String((await cli('client', 'create', '--name', 'audited')).out?.client_id);
    expect((await cli('client', 'rotate-secret', id)).code).toBe(0);
    expect((await cli('client', 'update', id, '--deprecate')).code).toBe(0);
    expect((await cli('client', 'revoke-tokens', id)).code).toBe(0);
    expect((await cli('client', 'delete', id)).code).toBe(0);
    const entries = (await auditOf(id)).reverse();
    expect(entries.map((e) => e.action)).toEqual([
      'client.create',
      'client.rotate_secret',
      'client.update',
      'client.revoke_tokens',
      'client.delete',
    ]);
    for (const e of entries) expect(e.actor).toBe(cliActor);
  });

  it('updates a client from the admin API as the CLI does', async () => {
    const id = String((await cli('client', 'create', '--name', 'to deprecate')).out?.client_id);
    const viaApi = await api('PATCH', `/admin/api/clients/${id}`, {
      deprecated: true,
      token_budget: 5,
    });
    expect(viaApi.status).toBe(200);
    expect(viaApi.json).toMatchObject({ deprecated: true, token_budget_per_minute: 5 });
    const shown = await cli('client', 'show', id);
    expect(shown.out).toEqual(viaApi.json);
    expect((await api('PATCH', `/admin/api/clients/${id}`, {})).status).toBe(400);
    expect((await api('PATCH', '/admin/api/clients/nope', { deprecated: false })).status).toBe(404);
  });

  it('names a refused field as each front end spells it', async () => {
    const viaApi = await api('POST', '/admin/api/clients', { name: 'x', ttl: 999_999 });
    expect(viaApi.status).toBe(400);
    expect(String(viaApi.json.error_description)).toMatch(/^ttl must be a whole number of seconds/);
    const viaCli = await cli('client', 'create', '--name', 'x', '--ttl', '999999');
    expect(viaCli.code).not.toBe(0);
    expect(viaCli.stderr).toMatch(/^gridkey: --ttl must be a whole number of seconds/);
    const budget = await cli('client', 'create', '--name', 'x', '--token-budget', '9999999');
    expect(budget.stderr).toMatch(/^gridkey: --token-budget must be a whole number of tokens/);
    const badApi = await api('POST', '/admin/api/clients', { name: 'x', token_budget: 9_999_999 });
    expect(String(badApi.json.error_description)).toMatch(/^token_budget must be/);
  });
});
