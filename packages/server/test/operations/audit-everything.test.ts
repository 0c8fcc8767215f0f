import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ServerError, UnknownIdError } from '../../src/errors.js';
import type { Gridkey } from '../../src/gridkey.js';
import {
  cliActor,
  type OperationContext,
  operationContext,
  runAudited,
} from '../../src/operations/context.js';
import { rotateKeys } from '../../src/operations/signing-keys.js';
import type { AuditEntry } from '../../src/store/types.js';
import { type CliAnswer, frontEnds } from '../cli/front-ends.js';

/**
 * Issue 15, "Audit everything": every mutating operation, from either front
 * end, leaves an audit entry with its actor, action, target and outcome,
 * whether it was done (`ok`) or refused (`refused`, with the error's code).
 * The cases are checked against the operations folder, so an operation
 * added without a case here fails this test.
 */

const OPERATIONS_DIR = new URL('../../src/operations/', import.meta.url);

/**
 * The operations that only read, and are not audited: a list, a show or a
 * usage query changes nothing, and auditing every page load would bury the
 * changes an auditor looks for. None of them was audited before.
 */
const READS = [
  'getUsage',
  'listApiKeys',
  'listClients',
  'listLoginTokens',
  'listPats',
  'listSigningKeys',
  'listUsers',
  'patRoleNames',
  'showClient',
  'topRequesters',
];

const CUSTOMER = '9796513c-e811-4b75-b2eb-b36b9f1a1b8c';
const PAST = '2001-01-01T00:00:00Z';
const PASSWORD = 'a long enough password';

/** One attempt through the CLI (`--json` added) or the admin API. */
interface CliAttempt {
  args: string[];
  stdin?: string;
}
interface ApiAttempt {
  method: 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
}

interface Case {
  /** The operation's exported name in src/operations/. */
  op: string;
  action: string;
  /** Makes what the successful attempt acts on (through the server, unaudited); its id. */
  prepare?(gk: Gridkey, n: number): Promise<string>;
  cli?: (id: string, n: number) => CliAttempt;
  api?: (id: string, n: number) => ApiAttempt;
  /** The audited target of a success: default the prepared id. */
  targetOf?(out: Record<string, unknown>, id: string): string;
  refused: {
    /** Undefined where the front end cannot pass what the operation refuses (`why`). */
    cli?: CliAttempt;
    api?: ApiAttempt;
    why?: string;
    target: string;
    error: string;
  };
}

const newClient = async (gk: Gridkey, n: number) =>
  (await gk.clients.create({ name: `audited ${n}`, scopes: ['read'], audiences: [] })).client
    .clientId;
const newUser = async (gk: Gridkey, n: number) =>
  (await gk.users.create(`audited-${n}-${Date.now()}@example.com`, PASSWORD)).id;
const newPat = async (gk: Gridkey, n: number) =>
  (await gk.pats.create({ name: `audited ${n}`, role: 'user' })).record.id;
const body = (n: number) => ({ name: `audited ${n}` });

const CASES: Case[] = [
  {
    op: 'createClient',
    action: 'client.create',
    cli: (_, n) => ({ args: ['client', 'create', '--name', `new client ${n}`] }),
    api: (_, n) => ({
      method: 'POST',
      path: '/admin/api/clients',
      body: { name: `new client ${n}` },
    }),
    targetOf: (out) => String(out.client_id),
    refused: {
      cli: { args: ['client', 'create', '--name', 'refused client', '--grants', 'bogus'] },
      api: {
        method: 'POST',
        path: '/admin/api/clients',
        body: { name: 'refused client', grants: 'bogus' },
      },
      target: 'refused client',
      error: 'invalid_field',
    },
  },
  {
    op: 'rotateClientSecret',
    action: 'client.rotate_secret',
    prepare: newClient,
    cli: (id) => ({ args: ['client', 'rotate-secret', id] }),
    api: (id) => ({ method: 'POST', path: `/admin/api/clients/${id}/rotate-secret` }),
    refused: {
      cli: { args: ['client', 'rotate-secret', 'no-client-1'] },
      api: { method: 'POST', path: '/admin/api/clients/no-client-1/rotate-secret' },
      target: 'no-client-1',
      error: 'not_found',
    },
  },
  {
    op: 'updateClient',
    action: 'client.update',
    prepare: newClient,
    cli: (id) => ({ args: ['client', 'update', id, '--token-budget', '50'] }),
    api: (id) => ({
      method: 'PATCH',
      path: `/admin/api/clients/${id}`,
      body: { token_budget: 50 },
    }),
    refused: {
      cli: { args: ['client', 'update', 'no-client-2', '--token-budget', '50'] },
      api: { method: 'PATCH', path: '/admin/api/clients/no-client-2', body: { token_budget: 50 } },
      target: 'no-client-2',
      error: 'not_found',
    },
  },
  {
    op: 'revokeClientTokens',
    action: 'client.revoke_tokens',
    prepare: newClient,
    cli: (id) => ({ args: ['client', 'revoke-tokens', id] }),
    api: (id) => ({ method: 'POST', path: `/admin/api/clients/${id}/revoke-tokens` }),
    refused: {
      cli: { args: ['client', 'revoke-tokens', 'no-client-3'] },
      api: { method: 'POST', path: '/admin/api/clients/no-client-3/revoke-tokens' },
      target: 'no-client-3',
      error: 'not_found',
    },
  },
  {
    op: 'deleteClient',
    action: 'client.delete',
    prepare: newClient,
    cli: (id) => ({ args: ['client', 'delete', id] }),
    api: (id) => ({ method: 'DELETE', path: `/admin/api/clients/${id}` }),
    refused: {
      cli: { args: ['client', 'delete', 'no-client-4'] },
      api: { method: 'DELETE', path: '/admin/api/clients/no-client-4' },
      target: 'no-client-4',
      error: 'not_found',
    },
  },
  {
    op: 'createUser',
    action: 'user.create',
    cli: (_, n) => ({
      args: ['user', 'create', '--email', `new-${n}@example.com`, '--password-stdin'],
      stdin: PASSWORD,
    }),
    api: (_, n) => ({
      method: 'POST',
      path: '/admin/api/users',
      body: { email: `new-${n}@example.com`, password: PASSWORD },
    }),
    targetOf: (out) => String(out.id),
    refused: {
      cli: {
        args: ['user', 'create', '--email', 'weak@example.com', '--password-stdin'],
        stdin: 'short',
      },
      api: {
        method: 'POST',
        path: '/admin/api/users',
        body: { email: 'weak@example.com', password: 'short' },
      },
      target: 'weak@example.com',
      error: 'invalid_field',
    },
  },
  {
    op: 'disableUser',
    action: 'user.disable',
    prepare: newUser,
    cli: (id) => ({ args: ['user', 'disable', id] }),
    api: (id) => ({ method: 'POST', path: `/admin/api/users/${id}/disable` }),
    refused: {
      cli: { args: ['user', 'disable', 'nobody-1@example.com'] },
      api: { method: 'POST', path: '/admin/api/users/nobody-1@example.com/disable' },
      target: 'nobody-1@example.com',
      error: 'not_found',
    },
  },
  {
    op: 'setUserPassword',
    action: 'user.set_password',
    prepare: newUser,
    cli: (id) => ({ args: ['user', 'set-password', id, '--password-stdin'], stdin: PASSWORD }),
    api: (id) => ({
      method: 'POST',
      path: `/admin/api/users/${id}/set-password`,
      body: { password: PASSWORD },
    }),
    refused: {
      cli: {
        args: ['user', 'set-password', 'nobody-2@example.com', '--password-stdin'],
        stdin: PASSWORD,
      },
      api: {
        method: 'POST',
        path: '/admin/api/users/nobody-2@example.com/set-password',
        body: { password: PASSWORD },
      },
      target: 'nobody-2@example.com',
      error: 'not_found',
    },
  },
  {
    op: 'deleteUser',
    action: 'user.delete',
    prepare: newUser,
    cli: (id) => ({ args: ['user', 'delete', id] }),
    api: (id) => ({ method: 'DELETE', path: `/admin/api/users/${id}` }),
    refused: {
      cli: { args: ['user', 'delete', 'nobody-3@example.com'] },
      api: { method: 'DELETE', path: '/admin/api/users/nobody-3@example.com' },
      target: 'nobody-3@example.com',
      error: 'not_found',
    },
  },
  {
    op: 'revokeUserTokens',
    action: 'user.revoke_tokens',
    prepare: newUser,
    cli: (id) => ({ args: ['user', 'revoke-tokens', id] }),
    api: (id) => ({ method: 'POST', path: `/admin/api/users/${id}/revoke-tokens` }),
    refused: {
      cli: { args: ['user', 'revoke-tokens', 'nobody-4@example.com'] },
      api: { method: 'POST', path: '/admin/api/users/nobody-4@example.com/revoke-tokens' },
      target: 'nobody-4@example.com',
      error: 'not_found',
    },
  },
  {
    op: 'createPat',
    action: 'pat.create',
    cli: (_, n) => ({ args: ['pat', 'create', '--name', `new pat ${n}`, '--role', 'user'] }),
    api: (_, n) => ({
      method: 'POST',
      path: '/admin/api/pats',
      body: { name: `new pat ${n}`, role: 'user' },
    }),
    targetOf: (out) => String(out.id),
    refused: {
      cli: { args: ['pat', 'create', '--name', 'refused pat', '--role', 'no-such-role'] },
      api: {
        method: 'POST',
        path: '/admin/api/pats',
        body: { name: 'refused pat', role: 'no-such-role' },
      },
      target: 'refused pat',
      error: 'invalid_field',
    },
  },
  {
    op: 'createAdminToken',
    action: 'admin_token.create',
    cli: (_, n) => ({ args: ['admin-token', 'create', '--name', `new admin ${n}`] }),
    targetOf: (out) => String(out.id),
    refused: {
      cli: { args: ['admin-token', 'create', '--name', '   '] },
      why: 'the admin API has no route that creates an admin token',
      target: '   ',
      error: 'invalid_field',
    },
  },
  {
    op: 'authorisePat',
    action: 'pat.authorise',
    prepare: newPat,
    cli: (id) => ({ args: ['pat', 'authorise', id, '--api'] }),
    api: (id) => ({ method: 'POST', path: `/admin/api/pats/${id}/authorise`, body: { api: true } }),
    refused: {
      cli: { args: ['pat', 'authorise', 'no-pat-1', '--api'] },
      api: { method: 'POST', path: '/admin/api/pats/no-pat-1/authorise', body: { api: true } },
      target: 'no-pat-1',
      error: 'not_found',
    },
  },
  {
    op: 'revokePat',
    action: 'pat.revoke',
    prepare: newPat,
    cli: (id) => ({ args: ['pat', 'revoke', id] }),
    api: (id) => ({ method: 'POST', path: `/admin/api/pats/${id}/revoke` }),
    refused: {
      cli: { args: ['pat', 'revoke', 'no-pat-2'] },
      api: { method: 'POST', path: '/admin/api/pats/no-pat-2/revoke' },
      target: 'no-pat-2',
      error: 'not_found',
    },
  },
  {
    op: 'createApiKey',
    action: 'api_key.create',
    cli: (_, n) => ({ args: ['apikey', 'create', '--name', `new key ${n}`] }),
    api: (_, n) => ({ method: 'POST', path: '/admin/api/api-keys', body: body(n) }),
    targetOf: (out) => String(out.id),
    refused: {
      cli: { args: ['apikey', 'create', '--name', 'refused key', '--expires', PAST] },
      api: {
        method: 'POST',
        path: '/admin/api/api-keys',
        body: { name: 'refused key', expires: PAST },
      },
      target: 'refused key',
      error: 'invalid_field',
    },
  },
  {
    op: 'revokeApiKey',
    action: 'api_key.revoke',
    prepare: async (gk, n) =>
      (await gk.apiKeys.create({ name: `audited ${n}`, scopes: [] })).record.id,
    cli: (id) => ({ args: ['apikey', 'revoke', id] }),
    api: (id) => ({ method: 'POST', path: `/admin/api/api-keys/${id}/revoke` }),
    refused: {
      cli: { args: ['apikey', 'revoke', 'no-key-1'] },
      api: { method: 'POST', path: '/admin/api/api-keys/no-key-1/revoke' },
      target: 'no-key-1',
      error: 'not_found',
    },
  },
  {
    op: 'createLoginToken',
    action: 'login_token.create',
    cli: () => ({ args: ['login-token', 'create', '--customer', CUSTOMER] }),
    api: () => ({
      method: 'POST',
      path: '/admin/api/login-tokens',
      body: { customer_uuid: CUSTOMER },
    }),
    targetOf: (out) => String(out.id),
    refused: {
      cli: { args: ['login-token', 'create', '--customer', CUSTOMER, '--expires', PAST] },
      api: {
        method: 'POST',
        path: '/admin/api/login-tokens',
        body: { customer_uuid: CUSTOMER, expires: PAST },
      },
      target: CUSTOMER,
      error: 'invalid_field',
    },
  },
  {
    op: 'revokeLoginToken',
    action: 'login_token.revoke',
    prepare: async (gk) =>
      String((await gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: [] })).record.id),
    cli: (id) => ({ args: ['login-token', 'revoke', id] }),
    api: (id) => ({ method: 'POST', path: `/admin/api/login-tokens/${id}/revoke` }),
    refused: {
      cli: { args: ['login-token', 'revoke', '999999998'] },
      api: { method: 'POST', path: '/admin/api/login-tokens/999999999/revoke' },
      // The admin API's is the id in its path.
      target: '999999998',
      error: 'not_found',
    },
  },
  {
    op: 'rotateKeys',
    action: 'keys.rotate',
    cli: () => ({ args: ['keys', 'rotate', '--activate-in', '0'] }),
    api: () => ({ method: 'POST', path: '/admin/api/keys/rotate' }),
    targetOf: (out) => (out.created as { kid: string }[]).map((k) => k.kid).join(' '),
    refused: {
      why: 'neither front end passes an activation delay the operation refuses: checked on the operation itself below',
      target: '',
      error: 'invalid_field',
    },
  },
  {
    op: 'revokeAccessToken',
    action: 'token.revoke',
    cli: (_, n) => ({ args: ['token', 'revoke', `jti-cli-${n}`] }),
    api: (_, n) => ({ method: 'POST', path: `/admin/api/tokens/jti-api-${n}/revoke` }),
    targetOf: (out) => String(out.jti),
    refused: {
      cli: { args: ['token', 'revoke', 'not a jti'] },
      why: 'the admin API’s path schema refuses such a jti before the operation runs',
      target: 'not a jti',
      error: 'invalid_field',
    },
  },
];

/** The exported function names of every operations module, but the context's. */
async function operationNames(): Promise<string[]> {
  const names: string[] = [];
  for (const file of readdirSync(OPERATIONS_DIR)) {
    if (!file.endsWith('.ts') || file === 'context.ts') continue;
    const mod = (await import(new URL(file, OPERATIONS_DIR).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === 'function') names.push(name);
    }
  }
  return names.sort();
}

describe('audit everything: every mutating operation, done or refused, from either front end', () => {
  const fe = frontEnds({
    config: { passwordScryptLogN: 10 },
    env: { GRIDKEY_PASSWORD_SCRYPT_LOG_N: '10' },
  });
  const { api, cliWith, cliActor: cliName } = fe;

  it('has a case for every operation that is not a read', async () => {
    const mutating = (await operationNames()).filter((n) => !READS.includes(n));
    expect(CASES.map((c) => c.op).sort()).toEqual(mutating);
    expect(new Set(CASES.map((c) => c.action)).size).toBe(CASES.length);
  });

  it('audits each success and each refusal with actor, action, target and outcome', async () => {
    const gk = fe.server.gk;
    const adminPat = (await gk.pats.list()).find((p) => p.role === 'admin');
    const apiActor = `pat:${adminPat?.id} (${adminPat?.name})`;
    const runCli = (a: CliAttempt): Promise<CliAnswer> => cliWith(a.args, a.stdin);

    interface Expected {
      label: string;
      actor: string;
      action: string;
      target: string;
      outcome: 'ok' | 'refused';
      error?: string;
    }
    const expected: Expected[] = [];

    // The CLI costs a process per call: every CLI attempt runs at once.
    const cliRuns = CASES.flatMap((c, i) => {
      const runs: Promise<void>[] = [];
      if (c.cli !== undefined) {
        const attempt = c.cli;
        runs.push(
          (async () => {
            const id = (await c.prepare?.(gk, i * 2)) ?? '';
            const res = await runCli(attempt(id, i * 2));
            expect(res.code, `${c.op} via the CLI: ${res.stderr}`).toBe(0);
            expected.push({
              label: `${c.op} via the CLI`,
              actor: cliName,
              action: c.action,
              target: c.targetOf?.(res.out ?? {}, id) ?? id,
              outcome: 'ok',
            });
          })(),
        );
      }
      const refused = c.refused.cli;
      if (refused !== undefined) {
        runs.push(
          (async () => {
            const res = await runCli(refused);
            expect(res.code, `${c.op} refused via the CLI`).not.toBe(0);
            expected.push({
              label: `${c.op} refused via the CLI`,
              actor: cliName,
              action: c.action,
              target: c.refused.target,
              outcome: 'refused',
              error: c.refused.error,
            });
          })(),
        );
      } else {
        expect(c.refused.why, `${c.op}: why no CLI refusal`).toBeDefined();
      }
      return runs;
    });
    await Promise.all(cliRuns);

    // The admin API, one call after another (real HTTP).
    for (const [i, c] of CASES.entries()) {
      if (c.api !== undefined) {
        const id = (await c.prepare?.(gk, i * 2 + 1)) ?? '';
        const { method, path, body: sent } = c.api(id, i * 2 + 1);
        const res = await api(method, path, sent);
        expect(res.status, `${c.op} via the admin API: ${JSON.stringify(res.json)}`).toBeLessThan(
          300,
        );
        expected.push({
          label: `${c.op} via the admin API`,
          actor: apiActor,
          action: c.action,
          target: c.targetOf?.(res.json, id) ?? id,
          outcome: 'ok',
        });
      } else {
        expect(c.refused.why, `${c.op}: why no admin API case`).toBeDefined();
      }
      const refused = c.refused.api;
      if (refused !== undefined) {
        const res = await api(refused.method, refused.path, refused.body);
        expect(res.status, `${c.op} refused via the admin API`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        // The API's target is the id in its path, or the same as the CLI's.
        const pathId = /\/(?:clients|users|pats|api-keys|login-tokens)\/([^/]+)/.exec(refused.path);
        expected.push({
          label: `${c.op} refused via the admin API`,
          actor: apiActor,
          action: c.action,
          target: pathId?.[1] ?? c.refused.target,
          outcome: 'refused',
          error: c.refused.error,
        });
      }
    }

    const entries = await gk.audit.list({ limit: 1000 });
    const matches = (e: AuditEntry, x: Expected) =>
      e.actor === x.actor &&
      e.action === x.action &&
      e.target === x.target &&
      e.outcome === x.outcome &&
      (x.error === undefined || e.detail.error === x.error);
    const missing = expected.filter((x) => !entries.some((e) => matches(e, x)));
    expect(missing.map((x) => x.label)).toEqual([]);
    // Every case was attempted from somewhere, done and refused.
    expect(expected.filter((x) => x.outcome === 'ok')).toHaveLength(
      CASES.filter((c) => c.cli).length + CASES.filter((c) => c.api).length,
    );
    // A refusal names the field, never the refused value (a password here).
    const refusals = entries.filter((e) => e.outcome === 'refused');
    expect(refusals.find((e) => e.action === 'user.create')?.detail).toEqual({
      error: 'invalid_field',
      field: 'password',
    });
    expect(JSON.stringify(entries)).not.toContain('short"');
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);
  });

  it('audits a refusal no front end can send: the operation itself', async () => {
    const ctx = operationContext(fe.server.gk, cliActor());
    await expect(rotateKeys(ctx, { activate_in: -1 })).rejects.toThrow(/activate_in/);
    const [entry] = await fe.server.gk.audit.list({ limit: 1, action: 'keys.rotate' });
    expect(entry).toMatchObject({
      actor: cliActor().name,
      action: 'keys.rotate',
      target: '',
      outcome: 'refused',
      detail: { error: 'invalid_field', field: 'activate_in' },
    });
  });
});

describe('runAudited', () => {
  /** A context whose audit log is `record`. */
  const contextWith = (record: (e: unknown) => Promise<void>): OperationContext =>
    ({
      gk: { audit: { record } } as unknown as Gridkey,
      actor: { name: 'cli:test@host', address: 'cli' },
      now: 0,
    }) as OperationContext;

  it('records ok with the final target, refused with the code, failed for the rest', async () => {
    const seen: unknown[] = [];
    const ctx = contextWith(async (e) => {
      seen.push(e);
    });
    await runAudited(ctx, 'x.do', 'hint', async () => ({ result: 1, target: 'final' }));
    await expect(
      runAudited(ctx, 'x.do', 'hint', () => Promise.reject(new UnknownIdError('no such x'))),
    ).rejects.toThrow('no such x');
    await expect(
      runAudited(ctx, 'x.do', 'hint', () => Promise.reject(new TypeError('bug'))),
    ).rejects.toThrow('bug');
    expect(seen).toMatchObject([
      { action: 'x.do', target: 'final', outcome: 'ok', detail: {} },
      { target: 'hint', outcome: 'refused', detail: { error: 'not_found' } },
      { target: 'hint', outcome: 'failed', detail: { error: 'server_error' } },
    ]);
  });

  it('never lets a failing audit write mask the original error', async () => {
    const ctx = contextWith(() => Promise.reject(new Error('store down')));
    await expect(
      runAudited(ctx, 'x.do', 'hint', () => Promise.reject(new ServerError('the original'))),
    ).rejects.toThrow('the original');
  });
});
