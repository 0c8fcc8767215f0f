import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  clientCredentials,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import { REUSE_ADVICE } from '../../src/operations/usage.js';

interface Bucket {
  kind: string;
  id: string;
  start: string;
  tokens_issued: number;
  uses: number;
  refused: Record<string, number>;
}

/**
 * Usage counts end to end: token requests by two clients (and refused ones),
 * an API key and a PAT used through introspection, flushed, then read back
 * through the admin API and the CLI with exactly those numbers.
 */
describe.each(storeTargets())('usage on $kind', (target) => {
  let server: TestServer;
  let admin: string;
  let busy: { id: string; secret: string };
  let calm: { id: string; secret: string };
  let apiKeyId: string;
  let patId: string;
  const statuses: Record<string, number[]> = {};
  let started: number;

  const adminGet = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const sum = (buckets: Bucket[], id: string, field: 'tokens_issued' | 'uses') =>
    buckets.filter((b) => b.id === id).reduce((n, b) => n + b[field], 0);
  const refusedOf = (buckets: Bucket[], id: string) => {
    const out: Record<string, number> = {};
    for (const b of buckets.filter((x) => x.id === id)) {
      for (const [k, v] of Object.entries(b.refused)) out[k] = (out[k] ?? 0) + v;
    }
    return out;
  };

  beforeAll(async () => {
    // An hour between timed flushes: the test flushes when it wants to.
    server = await startTestServer(target, { config: { usageFlushIntervalMs: 3_600_000 } });
    started = Math.floor(Date.now() / 1000);
    admin = (await server.gk.pats.createAdminToken()).token;
    busy = await server.client({
      name: 'busy meter',
      scopes: ['read'],
      accessTokenTtlSeconds: 3600,
      tokenBudgetPerMinute: 3,
    });
    calm = await server.client({
      name: 'calm meter',
      scopes: ['read'],
      accessTokenTtlSeconds: 3600,
    });
    const rs = await server.client({ name: 'energy api', scopes: [], resourceServer: true });

    // The busy client asks until its budget refuses it; the calm one once.
    const record = async (who: string, res: Promise<{ status: number }>) => {
      const status = (await res).status;
      statuses[who] = [...(statuses[who] ?? []), status];
    };
    for (let i = 0; i < 10 && !(statuses.busy ?? []).includes(429); i++) {
      await record('busy', clientCredentials(server, busy));
    }
    await record('busy', clientCredentials(server, { id: busy.id, secret: 'not-the-secret' }));
    await record('calm', clientCredentials(server, calm));
    // No client known: counted for nobody.
    await record('nobody', clientCredentials(server, { id: 'f'.repeat(32), secret: 'x' }));

    const key = await server.gk.apiKeys.create({ name: 'exporter', scopes: ['read'] });
    apiKeyId = key.record.id;
    const pat = await server.gk.pats.create({ name: 'dev box', role: 'user' });
    await server.gk.pats.authorise(pat.record.id, { api: true, web: false });
    patId = pat.record.id;
    const introspect = (token: string) =>
      postForm(
        `${server.url}/oauth2/introspect`,
        { token },
        { authorization: basic(rs.id, rs.secret) },
      );
    for (const token of [key.key, key.key, pat.token]) {
      expect((await introspect(token)).json.active).toBe(true);
    }
    await server.app.usage?.flush();
  });
  afterAll(() => server?.close());

  it('made the requests the counts are checked against', () => {
    const busyStatuses = statuses.busy ?? [];
    expect(busyStatuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    expect(busyStatuses.slice(-2)).toEqual([429, 401]);
    expect(statuses.calm).toEqual([200]);
    expect(statuses.nobody).toEqual([401]);
  });

  it('GET /admin/api/usage gives each client’s issued and refused tokens', async () => {
    const issued = (statuses.busy ?? []).filter((s) => s === 200).length;
    const { status, body } = await adminGet(
      `/admin/api/usage?kind=client&id=${busy.id}&granularity=minute&since=${started - 60}`,
    );
    expect(status).toBe(200);
    expect(body.granularity).toBe('minute');
    const buckets = body.buckets as Bucket[];
    expect(new Set(buckets.map((b) => `${b.kind}:${b.id}`))).toEqual(
      new Set([`client:${busy.id}`]),
    );
    expect(sum(buckets, busy.id, 'tokens_issued')).toBe(issued);
    expect(refusedOf(buckets, busy.id)).toEqual({ too_many_requests: 1, invalid_client: 1 });

    // Every credential, hour buckets (the default), from unix seconds.
    const all = (await adminGet(`/admin/api/usage?since=${started - 3600}`)).body
      .buckets as Bucket[];
    expect(sum(all, busy.id, 'tokens_issued')).toBe(issued);
    expect(sum(all, calm.id, 'tokens_issued')).toBe(1);
    expect(refusedOf(all, calm.id)).toEqual({});
    expect(sum(all, apiKeyId, 'uses')).toBe(2);
    expect(sum(all, patId, 'uses')).toBe(1);
    expect(all.find((b) => b.id === apiKeyId)?.kind).toBe('api_key');
    expect(all.find((b) => b.id === patId)?.kind).toBe('pat');
    // The unknown client_id was counted for no one.
    expect(all.some((b) => b.id === 'f'.repeat(32))).toBe(false);

    // Day buckets of one API key, with ISO 8601 bounds.
    const since = new Date((started - 86400) * 1000).toISOString();
    const day = (
      await adminGet(`/admin/api/usage?kind=api_key&id=${apiKeyId}&granularity=day&since=${since}`)
    ).body.buckets as Bucket[];
    expect(sum(day, apiKeyId, 'uses')).toBe(2);
  });

  it('refuses a bad range or an id without a kind with 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['?since=yesterday', 'since'],
      ['?since=2000000000&until=1900000000', 'since'],
      [`?id=${busy.id}`, 'kind'],
      ['?granularity=week', 'granularity'],
    ];
    for (const [query, field] of cases) {
      const { status, body } = await adminGet(`/admin/api/usage${query}`);
      expect(status, query).toBe(400);
      expect(String(body.error_description), query).toContain(field);
    }
  });

  it('the top-clients summary sorts by tokens issued and flags the over-requesting client', async () => {
    const issued = (statuses.busy ?? []).filter((s) => s === 200).length;
    const { status, body } = await adminGet(
      `/admin/api/usage/top-clients?granularity=minute&since=${started - 60}`,
    );
    expect(status).toBe(200);
    const clients = body.clients as Record<string, unknown>[];
    expect(clients.map((c) => c.client_id)).toEqual([busy.id, calm.id]);
    // Within two minutes a token an hour justifies one new token per instance.
    expect(clients[0]).toMatchObject({
      name: 'busy meter',
      tokens_issued: issued,
      access_token_ttl_seconds: 3600,
      justified_tokens: 1,
      over_requesting: true,
      advice: REUSE_ADVICE,
    });
    expect(REUSE_ADVICE).toContain('reuse the token until it expires');
    expect(clients[1]).toMatchObject({
      name: 'calm meter',
      tokens_issued: 1,
      justified_tokens: 1,
      over_requesting: false,
      advice: null,
    });
    // With as many instances as tokens, the busy client is within what its lifetime justifies.
    const many = (
      await adminGet(
        `/admin/api/usage/top-clients?granularity=minute&since=${started - 60}&instances=${issued}`,
      )
    ).body.clients as Record<string, unknown>[];
    expect(many[0]).toMatchObject({ client_id: busy.id, over_requesting: false, advice: null });
  });

  it('the request line carries the client the token endpoint authenticated, never a secret', () => {
    const lines = server
      .logs()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request' && l.path === '/oauth2/token');
    const calmLine = lines.find((l) => l.client_id === calm.id);
    expect(calmLine).toMatchObject({ method: 'POST', status: 200, client_id: calm.id });
    // The wrong secret and the unknown client authenticated no one.
    expect(lines.filter((l) => l.status === 401).map((l) => 'client_id' in l)).toEqual([
      false,
      false,
    ]);
    expect(server.logs()).not.toContain(calm.secret);
    expect(server.logs()).not.toContain(busy.secret);
    // Other routes' lines have no client_id member at all.
    const other = server
      .logs()
      .split('\n')
      .filter((l) => l.includes('"path":"/oauth2/introspect"'));
    expect(other.length).toBeGreaterThan(0);
    for (const l of other) expect(l).not.toContain('client_id');
  });

  it('gridkey usage prints the same counts as JSON and as a table', async () => {
    const issued = (statuses.busy ?? []).filter((s) => s === 200).length;
    const where = ['--data-dir', server.dataDir, '--db', server.dbUrl];
    const json = await runCli([
      'usage',
      '--client',
      busy.id,
      '--since',
      String(started - 3600),
      '--json',
      ...where,
    ]);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const out = json.json() as { granularity: string; buckets: Bucket[] };
    expect(out.granularity).toBe('hour');
    expect(sum(out.buckets, busy.id, 'tokens_issued')).toBe(issued);
    expect(refusedOf(out.buckets, busy.id)).toEqual({ too_many_requests: 1, invalid_client: 1 });

    const table = await runCli(['usage', '--pat', patId, '--granularity', 'day', ...where]);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header?.split(/\s+/)).toEqual(['START', 'KIND', 'ID', 'ISSUED', 'USES', 'REFUSED']);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.split(/\s+/).slice(1)).toEqual(['pat', patId, '0', '1', '-']);

    const top = await runCli([
      'usage',
      '--top',
      '--granularity',
      'minute',
      '--since',
      String(started - 60),
      ...where,
    ]);
    expect(top.code).toBe(0);
    expect(top.stdout.split('\n')[1]).toContain(busy.id);
    expect(top.stdout.split('\n')[1]).toContain(`over-requesting: ${REUSE_ADVICE}`);
  });

  it('gridkey usage refuses a bad flag in one line naming it', async () => {
    const where = ['--data-dir', server.dataDir, '--db', server.dbUrl];
    for (const [args, flag] of [
      [['--since', 'soon'], '--since'],
      [['--granularity', 'week'], '--granularity'],
      [['--client', busy.id, '--pat', patId], '--client and --pat'],
    ] as const) {
      const res = await runCli(['usage', ...args, ...where]);
      expect(res.code, args.join(' ')).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(res.stderr, args.join(' ')).toMatch(new RegExp(`^gridkey: .*${flag}`));
    }
  });
});

describe('usage recording off', () => {
  it('counts nothing, and still serves what is stored', async () => {
    const [target] = storeTargets();
    if (target === undefined) throw new Error('no store target');
    const server = await startTestServer(target, { config: { usageRecording: false } });
    try {
      expect(server.app.usage).toBeNull();
      const client = await server.client();
      expect((await clientCredentials(server, client)).status).toBe(200);
      const admin = (await server.gk.pats.createAdminToken()).token;
      const res = await fetch(`${server.url}/admin/api/usage?granularity=day`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { buckets: unknown[] }).buckets).toEqual([]);
      expect(server.gk.events.listenerCount('token.issued')).toBe(1); // the metrics only
    } finally {
      await server.close();
    }
  });
});
