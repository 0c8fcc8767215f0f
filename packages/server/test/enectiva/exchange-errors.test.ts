import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER, exchange, exchangeBody, JSON_API } from '../../../../test/helpers/json-api.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  FakeClock,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

const OTHER_CUSTOMER = '0c5c2f0e-8a4b-4d4e-9a55-2f3c1b0a9e11';

describe.each(storeTargets())('POST /access_tokens errors on $kind', (target) => {
  let server: TestServer;
  const clock = new FakeClock();
  let live: string;
  let expired: string;
  let revoked: string;
  let others: string;

  beforeAll(async () => {
    server = await startTestServer(target, {
      clock,
      config: { loginExchangeFailuresPerMinute: 1000, profiles: ['enectiva'] },
    });
    const lt = server.gk.loginTokens;
    live = (await lt.create({ customerUuid: CUSTOMER, scopes: ['a'] })).token;
    const soon = Math.floor(clock.now() / 1000) + 60;
    expired = (await lt.create({ customerUuid: CUSTOMER, scopes: ['a'], expiresAt: soon })).token;
    const toRevoke = await lt.create({ customerUuid: CUSTOMER, scopes: ['a'] });
    await lt.revoke(toRevoke.record.id);
    revoked = toRevoke.token;
    others = (await lt.create({ customerUuid: OTHER_CUSTOMER, scopes: ['a'] })).token;
    clock.advance(60);
  });
  afterAll(() => server.close());

  async function storedState() {
    return {
      tokens: await server.gk.store.loginTokens.list(),
      revocations: await server.gk.store.revocations.listAfter(0, 0, 1000),
    };
  }

  function expectJsonApiError(
    res: Awaited<ReturnType<typeof exchange>>,
    status: number,
    code: string,
  ) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe(JSON_API);
    expect(res.json?.errors).toHaveLength(1);
    const [error] = res.json?.errors ?? [];
    expect(error).toMatchObject({ status: String(status), code });
    expect(typeof error?.title).toBe('string');
    expect(typeof error?.detail).toBe('string');
    expect(res.json).not.toHaveProperty('data');
  }

  it('answers 415 for any Content-Type but the bare JSON:API media type', async () => {
    const before = await storedState();
    for (const type of [
      'application/json',
      `${JSON_API}; charset=utf-8`,
      `${JSON_API}; ext=bulk`,
      'text/plain',
      'application/x-www-form-urlencoded',
    ]) {
      const res = await exchange(server.url, exchangeBody(CUSTOMER, live), {
        accept: JSON_API,
        'content-type': type,
      });
      expectJsonApiError(res, 415, 'unsupported_media_type');
    }
    const none = await fetch(`${server.url}/access_tokens`, {
      method: 'POST',
      headers: { accept: JSON_API },
    });
    expect(none.status).toBe(415);
    const badJson = await exchange(server.url, '{not json', {
      accept: JSON_API,
      'content-type': 'application/json',
    });
    expectJsonApiError(badJson, 415, 'unsupported_media_type');
    expect(await storedState()).toEqual(before);
  });

  it('answers 406 when Accept admits no JSON:API response', async () => {
    for (const accept of [
      'text/html',
      'application/json',
      `${JSON_API}; ext=bulk`,
      `${JSON_API}; q=0`,
      `${JSON_API}; profile=x, */*`,
    ]) {
      const res = await exchange(server.url, exchangeBody(CUSTOMER, live), {
        accept,
        'content-type': JSON_API,
      });
      expectJsonApiError(res, 406, 'not_acceptable');
    }
    for (const accept of ['*/*', 'application/*', `${JSON_API}, text/html`, `${JSON_API}; q=0.5`]) {
      const res = await exchange(server.url, exchangeBody(CUSTOMER, live), {
        accept,
        'content-type': JSON_API,
      });
      expect(res.status, accept).toBe(201);
    }
  });

  it('answers 400 for malformed JSON, a wrong type and missing or malformed attributes', async () => {
    const before = await storedState();
    const bodies = [
      '{not json',
      '[]',
      JSON.stringify({}),
      JSON.stringify({ data: [] }),
      JSON.stringify({
        data: { type: 'access_tokens', attributes: { customer_uuid: CUSTOMER, login_token: live } },
      }),
      JSON.stringify({ data: { type: 'login_tokens' } }),
      JSON.stringify({ data: { type: 'login_tokens', attributes: { login_token: live } } }),
      JSON.stringify({
        data: {
          type: 'login_tokens',
          attributes: { customer_uuid: 'not-a-uuid', login_token: live },
        },
      }),
      JSON.stringify({ data: { type: 'login_tokens', attributes: { customer_uuid: CUSTOMER } } }),
      JSON.stringify({
        data: {
          type: 'login_tokens',
          attributes: { customer_uuid: CUSTOMER, login_token: 'short' },
        },
      }),
      JSON.stringify({
        data: {
          type: 'login_tokens',
          attributes: { customer_uuid: CUSTOMER, login_token: live.toUpperCase() },
        },
      }),
      JSON.stringify({
        data: { type: 'login_tokens', attributes: { customer_uuid: CUSTOMER, login_token: 42 } },
      }),
    ];
    for (const body of bodies)
      expectJsonApiError(await exchange(server.url, body), 400, 'invalid_request');
    expect(await storedState()).toEqual(before);
  });

  it('answers 401 identically for unknown, expired, revoked and another customer’s tokens', async () => {
    const before = await storedState();
    const answers = [];
    for (const [customer, t] of [
      [CUSTOMER, 'f'.repeat(64)],
      [CUSTOMER, expired],
      [CUSTOMER, revoked],
      [CUSTOMER, others],
      [OTHER_CUSTOMER, live],
    ] as const) {
      const res = await exchange(server.url, exchangeBody(customer, t));
      expectJsonApiError(res, 401, 'invalid_login_token');
      answers.push(res.text);
    }
    expect(new Set(answers).size).toBe(1);
    expect(await storedState()).toEqual(before);
  });

  it('answers other methods with a JSON:API 405', async () => {
    const res = await fetch(`${server.url}/access_tokens`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.headers.get('content-type')).toBe(JSON_API);
  });
});
