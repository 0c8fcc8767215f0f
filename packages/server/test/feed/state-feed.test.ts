import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  clientCredentials,
  FakeClock,
  postForm,
  rotateKeys,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import { pruneOnce } from '../../src/maintenance/pruner.js';
import { FEED_GRACE_SECONDS } from '../../src/store/tables/token-events.js';

interface FeedEvent {
  cursor: string;
  type: string;
  at: number;
  exp: number;
  [field: string]: unknown;
}
interface FeedPage {
  events: FeedEvent[];
  revocations: { jti: string; exp: number; revoked_at: number }[];
  next_cursor: string;
  has_more: boolean;
  reset?: true;
}

describe.each(storeTargets())('the token-state feed on $kind', (target) => {
  let server: TestServer;
  let client: { id: string; secret: string };
  const clock = new FakeClock();

  beforeAll(async () => {
    server = await startTestServer(target, { clock, config: { profiles: ['enectiva'] } });
    client = await server.client();
  });
  afterAll(() => server.close());

  const page = async (after: string, limit?: number): Promise<FeedPage> => {
    const res = await fetch(
      `${server.url}/revocations?after=${after}${limit === undefined ? '' : `&limit=${limit}`}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    return (await res.json()) as FeedPage;
  };
  /** Every event after the cursor, page by page. */
  const readAll = async (after = '0', limit?: number) => {
    const events: FeedEvent[] = [];
    let cursor = after;
    for (;;) {
      const p = await page(cursor, limit);
      events.push(...p.events);
      cursor = p.next_cursor;
      if (!p.has_more) return { events, cursor };
    }
  };
  const issue = async () => {
    const res = await clientCredentials(server, client);
    const token = res.json.access_token as string;
    return { token, claims: decodeJwt(token) as { jti: string; exp: number } };
  };

  it('tells every kind of change, in commit order, each with its fields', async () => {
    const { cursor: start } = await readAll();
    const now = Math.floor(clock.now() / 1000);

    const access = await issue();
    const revoke = await postForm(
      `${server.url}/oauth2/revoke`,
      { token: access.token },
      { authorization: basic(client.id, client.secret) },
    );
    expect(revoke.status).toBe(200);

    const pat = await server.gk.pats.create({
      name: 'meter app',
      role: 'viewer',
      expiresAt: now + 3600,
    });
    await server.gk.pats.authorise(pat.record.id, { api: true, web: false });
    await server.gk.pats.authorise(pat.record.id, { api: true, web: true, until: now + 600 });
    await server.gk.pats.revoke(pat.record.id);

    const key = await server.gk.apiKeys.create({ name: 'charger', scopes: ['read'] });
    await server.gk.apiKeys.revoke(key.record.id);

    const { events, cursor } = await readAll(start);
    expect(events.map((e) => e.type)).toEqual([
      'access_token.revoked',
      'pat.state',
      'pat.state',
      'pat.state',
      'api_key.revoked',
    ]);
    const cursors = events.map((e) => Number(e.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(cursor).toBe(events.at(-1)?.cursor);

    expect(events[0]).toEqual({
      cursor: events[0]?.cursor,
      type: 'access_token.revoked',
      jti: access.claims.jti,
      at: now,
      exp: access.claims.exp,
    });
    const patFields = { type: 'pat.state', jti: pat.record.jti, pat_id: pat.record.id, at: now };
    const patExp = pat.record.expiresAt;
    expect(events[1]).toMatchObject({
      ...patFields,
      api: true,
      web: false,
      until: null,
      revoked: false,
      exp: patExp,
    });
    expect(events[2]).toMatchObject({ ...patFields, api: true, web: true, until: now + 600 });
    expect(events[3]).toMatchObject({ ...patFields, api: true, web: true, revoked: true });
    expect(events[4]).toEqual({
      cursor: events[4]?.cursor,
      type: 'api_key.revoked',
      key_id: key.record.id,
      at: now,
      exp: now + 86_400,
    });

    // Readers of the older `revocations` list still see the revoked jtis.
    const legacy = (await page(start)).revocations.map((r) => r.jti);
    expect(legacy).toEqual([access.claims.jti, pat.record.jti]);
  });

  it('tells each access token killed through its login token, once', async () => {
    const { cursor: start } = await readAll();
    const login = await server.gk.loginTokens.create({
      customerUuid: '9796513c-e811-4b75-b2eb-b36b9f1a1b8c',
      scopes: ['entity_consumptions'],
    });
    const exchange = () =>
      fetch(`${server.url}/access_tokens`, {
        method: 'POST',
        headers: {
          accept: 'application/vnd.api+json',
          'content-type': 'application/vnd.api+json',
        },
        body: JSON.stringify({
          data: {
            type: 'login_tokens',
            attributes: {
              customer_uuid: '9796513c-e811-4b75-b2eb-b36b9f1a1b8c',
              login_token: login.token,
            },
          },
        }),
      }).then(async (r) => ((await r.json()) as { data: { id: string } }).data.id);
    const jtis = [await exchange(), await exchange()];
    await server.gk.loginTokens.revoke(login.record.id);
    await server.gk.loginTokens.revoke(login.record.id);
    const { events } = await readAll(start);
    expect(events.map((e) => [e.type, e.jti])).toEqual(
      jtis.map((jti) => ['access_token.revoked', jti]),
    );
  });

  it('pages by cursor without gaps or repeats', async () => {
    for (let i = 0; i < 5; i++) {
      const { claims } = await issue();
      await server.gk.store.revocations.revoke({
        jti: claims.jti,
        exp: claims.exp,
        revokedAt: Math.floor(clock.now() / 1000),
      });
    }
    const whole = await readAll('0');
    const paged = await readAll('0', 2);
    expect(paged.events).toEqual(whole.events);
    const first = await page('0', 2);
    expect(first.events).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const past = await page(whole.cursor);
    expect(past).toMatchObject({ events: [], next_cursor: whole.cursor, has_more: false });
  });

  it('keeps cursor order equal to commit order under concurrent writers', async () => {
    const { cursor: start } = await readAll();
    const tokens = await Promise.all(Array.from({ length: 40 }, () => issue()));
    const seen: FeedEvent[] = [];
    let cursor = start;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const { events, cursor: next } = await readAll(cursor);
        seen.push(...events);
        cursor = next;
      }
    })();
    await Promise.all(
      tokens.map(({ token }) =>
        postForm(
          `${server.url}/oauth2/revoke`,
          { token },
          { authorization: basic(client.id, client.secret) },
        ),
      ),
    );
    writing = false;
    await reader;
    const rest = await readAll(cursor);
    seen.push(...rest.events);
    // A reader that follows the cursor while writers commit misses nothing.
    expect(seen.map((e) => e.jti).sort()).toEqual(tokens.map((t) => t.claims.jti).sort());
  });

  it('tells when a signing key leaves the key set, and forgets events that stopped mattering', async () => {
    const { cursor: start } = await readAll();
    const before = (await readAll()).events.length;
    expect(before).toBeGreaterThan(0);
    const oldKids = server.gk.keys.jwks().keys.map((k) => k.kid);
    const rotate = () => rotateKeys(server, Math.floor(clock.now() / 1000));
    await rotate();
    // Past every token's exp and the feed's grace after it.
    clock.advance(server.config.accessTokenMaxTtlSeconds + FEED_GRACE_SECONDS + 60);
    const { deleted } = await rotate();
    expect(deleted).toBe(oldKids.length);
    const { events } = await readAll(start);
    expect(events.filter((e) => e.type === 'signing_key.removed').map((e) => e.kid)).toEqual(
      expect.arrayContaining(oldKids),
    );
    // Past every token's exp only the key events (kept a day) are left.
    expect((await readAll()).events.every((e) => e.type === 'signing_key.removed')).toBe(true);
    await pruneOnce(server.gk.store, Math.floor(clock.now() / 1000), server.config);
    clock.advance(86_400 + FEED_GRACE_SECONDS);
    expect((await readAll()).events).toEqual([]);
  });

  it('sends a reader whose cursor is beyond the feed (a restored database) back to the snapshot', async () => {
    const { cursor } = await readAll();
    const beyond = await page(String(Number(cursor) + 1000));
    expect(beyond).toEqual({
      events: [],
      revocations: [],
      next_cursor: '0',
      has_more: true,
      reset: true,
    });
    // A reader at the end is not reset.
    expect(await page(cursor)).toMatchObject({ next_cursor: cursor, has_more: false });
    expect((await page(cursor)).reset).toBeUndefined();
  });

  it('refuses a cursor or limit that is not a whole number', async () => {
    for (const query of ['after=-1', 'after=abc', 'limit=1.5', 'after=1e3']) {
      const res = await fetch(`${server.url}/revocations?${query}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    }
  });
});
