import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER, JSON_API } from '../../../../test/helpers/json-api.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import { startTestServer, type TestServer } from '../../../../test/helpers/test-server.js';
import {
  expectNoLeak,
  expectUnchanged,
  GENEROUS_LIMITS,
  send,
  snapshot,
} from './attack-helpers.js';

/**
 * The Enectiva JSON:API exchange (`POST //access_tokens`, as the seed spells
 * it) against polluted, ambiguous and oversized documents (OWASP ASVS 5
 * V1.5, JSON:API 1.1 §Document Structure and §Content Negotiation, RFC 8259
 * §4, RFC 7493 §2.3). Pure HTTP parsing: SQLite only.
 */

const OTHER_CUSTOMER = '0b6c7a52-4a43-4d2b-9f0e-2d8e3c1f5a77';
const WRONG_TOKEN = 'f'.repeat(64);

describe.each(storeTargets().slice(0, 1))('JSON:API exchange attacks on $kind', (target) => {
  let server: TestServer;
  let loginToken: string;

  beforeAll(async () => {
    server = await startTestServer(target, {
      config: { ...GENEROUS_LIMITS, profiles: ['enectiva'] },
    });
    loginToken = (
      await server.gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: ['meter:read'] })
    ).token;
  });
  afterAll(() => server.close());

  const attributes = (token = loginToken) => ({ customer_uuid: CUSTOMER, login_token: token });
  const post = (
    body: string | Buffer,
    headers: Record<string, string> = { accept: JSON_API, 'content-type': JSON_API },
    path = '//access_tokens',
  ) => send(`${server.url}${path}`, { headers, body });

  /** A refused exchange: status, JSON:API error code, nothing stored, nothing leaked. */
  async function refused(
    body: string | Buffer,
    expected: { status: number; code: string },
    headers?: Record<string, string>,
  ) {
    const before = await snapshot(server);
    for (const path of ['//access_tokens', '/access_tokens']) {
      const res = await post(body, headers, path);
      expect(res.status, path).toBe(expected.status);
      expect(res.headers.get('content-type'), path).toBe(JSON_API);
      const errors = (res.json as { errors: { status: string; code: string }[] }).errors;
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ status: String(expected.status), code: expected.code });
      expect(res.json).not.toHaveProperty('data');
      expectNoLeak(res.text, [loginToken], path);
      expect(res.text.length, path).toBeLessThan(1000);
    }
    await expectUnchanged(server, before);
    expectNoLeak(server.logs(), [loginToken], 'logs');
  }

  /** An accepted exchange whose token owes nothing to the extra members. */
  async function acceptedUnmoved(body: string) {
    const res = await post(body);
    expect(res.status).toBe(201);
    const data = (
      res.json as { data: { type: string; id: string; attributes: { encoded: string } } }
    ).data;
    expect(data.type).toBe('access_tokens');
    expect(Object.keys(data.attributes)).toEqual(['encoded']);
    const claims = decodeJwt(data.attributes.encoded);
    expect(claims.scp).toEqual(['meter:read']);
    expect(claims.jti).toBe(data.id);
    expect(data.id).toMatch(/^[0-9a-f]{16}$/);
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);
    return claims;
  }

  it('exchanges the seed’s document (the baseline)', async () => {
    await acceptedUnmoved(
      JSON.stringify({ data: { type: 'login_tokens', attributes: attributes() } }),
    );
  });

  describe('extra members', () => {
    it('lets no extra attribute, id or top-level member shape the token', async () => {
      const claims = await acceptedUnmoved(
        JSON.stringify({
          jsonapi: { version: '1.1' },
          meta: { scp: ['*'] },
          data: {
            type: 'login_tokens',
            id: 'chosen-by-the-attacker',
            attributes: {
              ...attributes(),
              scp: ['*'],
              scope: '*',
              exp: 4102444800,
              sub: 'someone-else',
              lti: 1,
              encoded: 'x',
            },
            relationships: { customer: { data: { type: 'customers', id: OTHER_CUSTOMER } } },
          },
          included: [{ type: 'login_tokens', id: '1', attributes: { scp: ['*'] } }],
        }),
      );
      expect(claims.sub).not.toBe('someone-else');
      expect(claims.exp).not.toBe(4102444800);
    });

    it('refuses extra members around a wrong login token, storing nothing', async () => {
      await refused(
        JSON.stringify({
          meta: { login_token: loginToken.slice(0, 10) },
          data: { type: 'login_tokens', attributes: { ...attributes(WRONG_TOKEN), admin: true } },
        }),
        { status: 401, code: 'invalid_login_token' },
      );
    });
  });

  describe('prototype pollution', () => {
    const valid = { type: 'login_tokens', attributes: attributes() };
    const cases: [string, string][] = [
      ['a top-level __proto__ holding data', `{"__proto__": ${JSON.stringify({ data: valid })}}`],
      ['data as __proto__', `{"data": {"__proto__": ${JSON.stringify(valid)}}}`],
      [
        'attributes inside __proto__',
        `{"data": {"type": "login_tokens", "attributes": {"__proto__": ${JSON.stringify(attributes())}}}}`,
      ],
      [
        'the login token inside __proto__',
        `{"data": {"type": "login_tokens", "attributes": {"customer_uuid": "${CUSTOMER}", "__proto__": {"login_token": "${loginToken}"}}}}`,
      ],
      [
        'constructor.prototype',
        `{"data": {"type": "login_tokens", "attributes": {"customer_uuid": "${CUSTOMER}", "constructor": {"prototype": {"login_token": "${loginToken}"}}}}}`,
      ],
      [
        'prototype and constructor at the top',
        `{"constructor": {"prototype": {"data": 1}}, "prototype": {"data": 1}, "data": {"type": "login_tokens", "attributes": {"prototype": {}}}}`,
      ],
    ];
    it.each(cases)('refuses %s with 400 and pollutes nothing', async (_name, body) => {
      // Built lazily: the login token exists only once beforeAll ran.
      const text = body.replaceAll('undefined', loginToken);
      await refused(text, { status: 400, code: 'invalid_request' });
      const probe = {} as Record<string, unknown>;
      for (const key of [
        'data',
        'login_token',
        'customer_uuid',
        'type',
        'attributes',
        'polluted',
      ]) {
        expect(probe[key], key).toBeUndefined();
      }
      expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('login_token');
    });
  });

  describe('duplicate keys (RFC 8259 §4, RFC 7493 §2.3)', () => {
    // RFC 7493 §2.3: I-JSON objects MUST NOT have members with duplicate
    // names, and a receiver may reject them. Parsers differ on which one
    // wins (first or last), so a proxy and gridkey could read two different
    // documents: refuse them.
    it('refuses a duplicated login_token, first or last one right', async () => {
      for (const [first, last] of [
        [WRONG_TOKEN, loginToken],
        [loginToken, WRONG_TOKEN],
      ]) {
        await refused(
          `{"data": {"type": "login_tokens", "attributes": {"customer_uuid": "${CUSTOMER}", "login_token": "${first}", "login_token": "${last}"}}}`,
          { status: 400, code: 'invalid_request' },
        );
      }
    });
    it('refuses a duplicated data, type, attributes or customer_uuid', async () => {
      const a = JSON.stringify(attributes());
      for (const body of [
        `{"data": {"type": "x"}, "data": {"type": "login_tokens", "attributes": ${a}}}`,
        `{"data": {"type": "other", "type": "login_tokens", "attributes": ${a}}}`,
        `{"data": {"type": "login_tokens", "attributes": {}, "attributes": ${a}}}`,
        `{"data": {"type": "login_tokens", "attributes": {"customer_uuid": "${OTHER_CUSTOMER}", "customer_uuid": "${CUSTOMER}", "login_token": "${loginToken}"}}}`,
        // Equal names spelt differently are duplicates too (RFC 8259 §8.3).
        `{"data": {"type": "login_tokens", "attributes": {"login_token": "${WRONG_TOKEN}", "login\\u005ftoken": "${loginToken}", "customer_uuid": "${CUSTOMER}"}}}`,
      ]) {
        await refused(body, { status: 400, code: 'invalid_request' });
      }
    });
  });

  describe('wrong shapes', () => {
    const a = () => attributes();
    const cases: [string, () => unknown][] = [
      ['a top-level array', () => [{ data: { type: 'login_tokens', attributes: a() } }]],
      ['data as an array', () => ({ data: [{ type: 'login_tokens', attributes: a() }] })],
      ['attributes as an array', () => ({ data: { type: 'login_tokens', attributes: [a()] } })],
      [
        'the login token as an array',
        () => ({
          data: { type: 'login_tokens', attributes: { ...a(), login_token: [loginToken] } },
        }),
      ],
      [
        'the login token as an object',
        () => ({
          data: { type: 'login_tokens', attributes: { ...a(), login_token: { $ne: null } } },
        }),
      ],
      [
        'the customer as a number',
        () => ({ data: { type: 'login_tokens', attributes: { ...a(), customer_uuid: 1 } } }),
      ],
      ['type as an array', () => ({ data: { type: ['login_tokens'], attributes: a() } })],
      ['null', () => null],
      ['a string', () => 'login_tokens'],
      ['a number', () => 1e308],
    ];
    it.each(cases)('refuses %s with 400', async (_name, doc) => {
      await refused(JSON.stringify(doc()), { status: 400, code: 'invalid_request' });
    });

    it('refuses what is not JSON, without echoing it', async () => {
      for (const body of [
        '{"data":',
        "{'data': 1}",
        '\u0000',
        '{"data": NaN}',
        `${'{"a":1}'} trailing`,
      ]) {
        await refused(body, { status: 400, code: 'invalid_request' });
      }
    });
  });

  describe('deep nesting', () => {
    it('refuses 10 000 levels of nesting with 400, not a crash', async () => {
      const depth = 10_000;
      for (const body of [
        `${'['.repeat(depth)}${']'.repeat(depth)}`,
        `${'{"a":'.repeat(depth)}null${'}'.repeat(depth)}`,
        `{"data": {"type": "login_tokens", "attributes": {"customer_uuid": "${CUSTOMER}", "login_token": ${'['.repeat(depth)}${']'.repeat(depth)}}}}`,
      ]) {
        await refused(body, { status: 400, code: 'invalid_request' });
      }
      // The server is still answering.
      await acceptedUnmoved(
        JSON.stringify({ data: { type: 'login_tokens', attributes: attributes() } }),
      );
    });

    it('answers nesting past the body limit 413', async () => {
      const depth = server.config.bodyLimitBytes;
      await refused(`${'['.repeat(depth)}${']'.repeat(depth)}`, {
        status: 413,
        code: 'invalid_request',
      });
    });
  });

  describe('wrong media type (JSON:API §Content Negotiation)', () => {
    const body = () => JSON.stringify({ data: { type: 'login_tokens', attributes: attributes() } });
    const unsupported: [string, Record<string, string>][] = [
      ['application/json', { accept: JSON_API, 'content-type': 'application/json' }],
      [
        'a media type parameter',
        { accept: JSON_API, 'content-type': `${JSON_API}; charset=utf-8` },
      ],
      ['an ext parameter', { accept: JSON_API, 'content-type': `${JSON_API}; ext="https://evil"` }],
      ['a form', { accept: JSON_API, 'content-type': 'application/x-www-form-urlencoded' }],
      ['text/plain', { accept: JSON_API, 'content-type': 'text/plain' }],
      ['no content type', { accept: JSON_API }],
    ];
    it.each(unsupported)('answers %s 415', async (_name, headers) => {
      await refused(body(), { status: 415, code: 'unsupported_media_type' }, headers);
    });

    const unacceptable: [string, string][] = [
      ['application/json only', 'application/json'],
      ['JSON:API only with a parameter', `${JSON_API}; ext="https://evil"`],
      ['text/html', 'text/html'],
    ];
    it.each(unacceptable)('answers an Accept of %s 406', async (_name, accept) => {
      await refused(
        body(),
        { status: 406, code: 'not_acceptable' },
        { accept, 'content-type': JSON_API },
      );
    });

    it('answers a form body with a JSON:API media type 400, and JSON with a form media type 415', async () => {
      await refused(`customer_uuid=${CUSTOMER}&login_token=${loginToken}`, {
        status: 400,
        code: 'invalid_request',
      });
      await refused(
        body(),
        { status: 415, code: 'unsupported_media_type' },
        { accept: JSON_API, 'content-type': 'application/x-www-form-urlencoded' },
      );
    });
  });
});
