import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import {
  expectNoLeak,
  expectUnchanged,
  GENEROUS_LIMITS,
  send,
  snapshot,
} from './attack-helpers.js';

/**
 * Client authentication confusion (RFC 6749 §2.3, §2.3.1, §3.2, §5.2;
 * RFC 9700 §2.5; OWASP ASVS 5 V10.4.10), repeated parameters and oversized input, at every
 * endpoint that authenticates a client. Pure HTTP parsing: SQLite only.
 */

type Client = { id: string; secret: string };
type Form = Record<string, string> | string;
interface Attempt {
  form: Form;
  headers?: Record<string, string>;
}
interface Expected {
  status: number;
  error: string;
  /** The exact WWW-Authenticate, or null for none. */
  challenge?: string | null;
}

const BASIC_CHALLENGE = 'Basic realm="gridkey"';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
/** Every character percent-encoded, as RFC 6749 §2.3.1 allows. */
const encodeAll = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** Each endpoint that authenticates a client, and the rest of a form it needs. */
const ENDPOINTS: [string, Record<string, string>][] = [
  ['/oauth2/token', { grant_type: 'client_credentials' }],
  ['/oauth2/introspect', { token: 'a-token-nobody-issued' }],
  ['/oauth2/revoke', { token: 'a-token-nobody-issued' }],
];

describe.each(storeTargets().slice(0, 1))('client-authentication attacks on $kind', (target) => {
  let server: TestServer;
  let basicClient: Client;
  let postClient: Client;
  let secrets: string[];

  beforeAll(async () => {
    server = await startTestServer(target, { config: GENEROUS_LIMITS });
    basicClient = await server.client({ name: 'basic', scopes: ['read', 'write'] });
    postClient = await server.client({
      name: 'post',
      scopes: ['read'],
      authMethod: 'client_secret_post',
    });
    secrets = [basicClient.secret, postClient.secret];
  });
  afterAll(async () => {
    await server.close();
  });

  /** Sends the attempt to `path` and checks the answer, that nothing was stored and nothing leaked. */
  async function attack(path: string, attempt: Attempt, expected: Expected) {
    const before = await snapshot(server);
    const res = await postForm(`${server.url}${path}`, attempt.form, attempt.headers ?? {});
    expect(res.status, `${path} status`).toBe(expected.status);
    expect(res.json?.error, `${path} error`).toBe(expected.error);
    if (expected.challenge !== undefined) {
      expect(res.headers.get('www-authenticate'), `${path} challenge`).toBe(expected.challenge);
    }
    expect(res.headers.get('cache-control')).toBe('no-store');
    expectNoLeak(res.text, secrets, `${path} body`);
    await expectUnchanged(server, before, path);
    expectNoLeak(server.logs(), secrets, 'logs');
    return res;
  }

  /** The same attempt at every endpoint, each with its own required parameters. */
  const everywhere = async (
    build: (extra: Record<string, string>) => Attempt,
    expected: Expected,
  ) => {
    for (const [path, extra] of ENDPOINTS) await attack(path, build(extra), expected);
  };

  describe('confusion of authentication methods (RFC 6749 §2.3)', () => {
    it('refuses Basic and client_secret in the body at once, even when both are right', async () => {
      // RFC 6749 §2.3: the client MUST NOT use more than one authentication method in each request.
      await everywhere(
        (extra) => ({
          form: { ...extra, client_id: basicClient.id, client_secret: basicClient.secret },
          headers: { authorization: basic(basicClient.id, basicClient.secret) },
        }),
        { status: 400, error: 'invalid_request' },
      );
    });

    it('refuses two different client ids (Basic vs body)', async () => {
      await everywhere(
        (extra) => ({
          form: { ...extra, client_id: postClient.id },
          headers: { authorization: basic(basicClient.id, basicClient.secret) },
        }),
        { status: 400, error: 'invalid_request' },
      );
    });

    it('refuses a client_id without a secret for a confidential client', async () => {
      for (const client of [basicClient, postClient]) {
        await everywhere((extra) => ({ form: { ...extra, client_id: client.id } }), {
          status: 401,
          error: 'invalid_client',
        });
      }
    });

    it('refuses the secret of client A with the id of client B, by either method', async () => {
      await everywhere(
        (extra) => ({
          form: extra,
          headers: { authorization: basic(basicClient.id, postClient.secret) },
        }),
        { status: 401, error: 'invalid_client', challenge: BASIC_CHALLENGE },
      );
      await everywhere(
        (extra) => ({
          form: { ...extra, client_id: postClient.id, client_secret: basicClient.secret },
        }),
        { status: 401, error: 'invalid_client', challenge: null },
      );
    });

    it('refuses a client that authenticates by another method than it was registered with', async () => {
      // A client_secret_basic client sending its secret in the body, and the other way round.
      await everywhere(
        (extra) => ({
          form: { ...extra, client_id: basicClient.id, client_secret: basicClient.secret },
        }),
        { status: 401, error: 'invalid_client', challenge: null },
      );
      await everywhere(
        (extra) => ({
          form: extra,
          headers: { authorization: basic(postClient.id, postClient.secret) },
        }),
        { status: 401, error: 'invalid_client', challenge: BASIC_CHALLENGE },
      );
    });

    it('refuses another Authorization scheme at a client-authenticated endpoint', async () => {
      await everywhere(
        (extra) => ({ form: extra, headers: { authorization: `Bearer ${basicClient.secret}` } }),
        { status: 400, error: 'invalid_request' },
      );
    });
  });

  describe('malformed Basic credentials (RFC 7617, RFC 6749 §2.3.1)', () => {
    const malformed: [string, (c: Client) => string][] = [
      ['no credentials after the scheme', () => 'Basic'],
      ['bad base64', () => 'Basic !!!not-base64!!!'],
      ['base64 with a space inside', (c) => `Basic ${b64(c.id)} ${b64(c.secret)}`],
      ['no colon', (c) => `Basic ${b64(`${c.id}${c.secret}`)}`],
      ['an empty id and secret', () => `Basic ${b64(':')}`],
      ['an empty secret', (c) => `Basic ${b64(`${c.id}:`)}`],
      ['a broken percent-encoding', (c) => `Basic ${b64(`${c.id}%zz:${c.secret}%`)}`],
      ['an id that is a percent-encoded NUL', (c) => `Basic ${b64(`%00${c.id}:${c.secret}`)}`],
      [
        'bytes that are not UTF-8',
        () => `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0xc3]).toString('base64')}`,
      ],
      [
        'two Basic credentials in one header',
        (c) => `${basic(c.id, c.secret)}, ${basic(c.id, c.secret)}`,
      ],
      ['a 10 kB secret', (c) => basic(c.id, 'x'.repeat(10_000))],
      ['the right secret with a suffix', (c) => basic(c.id, `${c.secret}x`)],
      // A client that swaps the fields must not get its secret written to the logs as an id.
      ['the id and secret swapped', (c) => basic(c.secret, c.id)],
      [
        'the secret form-encoded with + for a space that is not in it',
        (c) => `Basic ${b64(`${c.id}:${c.secret.slice(0, 10)}+${c.secret.slice(10)}`)}`,
      ],
    ];
    it.each(malformed)(
      'refuses %s with 401 invalid_client and a Basic challenge',
      async (_name, header) => {
        await everywhere(
          (extra) => ({ form: extra, headers: { authorization: header(basicClient) } }),
          {
            status: 401,
            error: 'invalid_client',
            challenge: BASIC_CHALLENGE,
          },
        );
      },
    );

    it('decodes form-urlencoded credentials before comparing them (RFC 6749 §2.3.1)', async () => {
      const header = `Basic ${b64(`${encodeAll(basicClient.id)}:${encodeAll(basicClient.secret)}`)}`;
      const token = await postForm(
        `${server.url}/oauth2/token`,
        { grant_type: 'client_credentials' },
        { authorization: header },
      );
      expect(token.status).toBe(200);
      expect(token.json.token_type).toBe('Bearer');
      const introspected = await postForm(
        `${server.url}/oauth2/introspect`,
        { token: 'unknown' },
        { authorization: header },
      );
      expect(introspected).toMatchObject({ status: 200, json: { active: false } });
    });
  });

  describe('repeated parameters (RFC 6749 §3.2: MUST NOT be included more than once)', () => {
    const repeated: [string, (c: Client, extra: Record<string, string>) => string][] = [
      [
        'grant_type',
        (c) =>
          `grant_type=client_credentials&grant_type=client_credentials&client_id=${c.id}&client_secret=${c.secret}`,
      ],
      [
        'client_id',
        (c, extra) =>
          `${new URLSearchParams(extra)}&client_id=${c.id}&client_id=${c.id}&client_secret=${c.secret}`,
      ],
      [
        'client_secret',
        (c, extra) =>
          `${new URLSearchParams(extra)}&client_id=${c.id}&client_secret=${c.secret}&client_secret=${c.secret}`,
      ],
      [
        'client_secret, the second one wrong',
        (c, extra) =>
          `${new URLSearchParams(extra)}&client_id=${c.id}&client_secret=${c.secret}&client_secret=wrong`,
      ],
      [
        'scope',
        (c, extra) =>
          `${new URLSearchParams(extra)}&client_id=${c.id}&client_secret=${c.secret}&scope=read&scope=write`,
      ],
      [
        'an empty repeat',
        (c, extra) =>
          `${new URLSearchParams(extra)}&client_id=${c.id}&client_secret=${c.secret}&client_id=`,
      ],
    ];
    it.each(repeated)('refuses a repeated %s with 400 invalid_request', async (_name, form) => {
      for (const [path, extra] of ENDPOINTS) {
        const res = await attack(
          path,
          { form: form(postClient, extra) },
          { status: 400, error: 'invalid_request' },
        );
        expect(res.json.error_description).toMatch(/is repeated$/);
      }
    });

    it('refuses a repeated token at introspection and revocation', async () => {
      for (const path of ['/oauth2/introspect', '/oauth2/revoke']) {
        await attack(
          path,
          {
            form: 'token=a&token=b',
            headers: { authorization: basic(basicClient.id, basicClient.secret) },
          },
          { status: 400, error: 'invalid_request' },
        );
      }
    });
  });

  describe('oversized input', () => {
    const auth = () => ({ authorization: basic(basicClient.id, basicClient.secret) });

    it('answers a form over the body limit 413, before authenticating', async () => {
      const huge = `grant_type=client_credentials&junk=${'a'.repeat(server.config.bodyLimitBytes + 1)}`;
      for (const [path] of ENDPOINTS) {
        await attack(
          path,
          { form: huge, headers: auth() },
          { status: 413, error: 'invalid_request' },
        );
      }
    });

    it('answers a JSON body over the limit 413 and a small one 400', async () => {
      const big = JSON.stringify({ grant_type: 'client_credentials', junk: 'a'.repeat(200_000) });
      for (const [path] of ENDPOINTS) {
        for (const [body, status] of [
          [big, 413],
          ['{"grant_type":"client_credentials"}', 400],
        ] as const) {
          const before = await snapshot(server);
          const res = await send(`${server.url}${path}`, {
            headers: { 'content-type': 'application/json', ...auth() },
            body,
          });
          expect(res.status).toBe(status);
          expect(res.json?.error).toBe('invalid_request');
          expectNoLeak(res.text, secrets, path);
          await expectUnchanged(server, before, path);
        }
      }
    });

    it('refuses a huge scope (inside the body limit) as invalid_scope, without echoing it', async () => {
      const scope = Array.from({ length: 6000 }, (_, i) => `s${i}`).join(' ');
      const res = await attack(
        '/oauth2/token',
        { form: { grant_type: 'client_credentials', scope }, headers: auth() },
        { status: 400, error: 'invalid_scope' },
      );
      expect(res.text.length).toBeLessThan(500);
      const one = await attack(
        '/oauth2/token',
        { form: { grant_type: 'client_credentials', scope: 'x'.repeat(60_000) }, headers: auth() },
        { status: 400, error: 'invalid_scope' },
      );
      expect(one.text.length).toBeLessThan(500);
    });

    it('refuses a huge client_id or client_secret in the body without looking it up', async () => {
      await everywhere(
        (extra) => ({
          form: { ...extra, client_id: 'c'.repeat(50_000), client_secret: postClient.secret },
        }),
        { status: 401, error: 'invalid_client' },
      );
      await everywhere(
        (extra) => ({
          form: { ...extra, client_id: postClient.id, client_secret: 's'.repeat(50_000) },
        }),
        { status: 401, error: 'invalid_client' },
      );
    });

    it('answers a 50 kB token at introspection and revocation like any unknown token', async () => {
      for (const path of ['/oauth2/introspect', '/oauth2/revoke']) {
        for (const token of [
          'A'.repeat(50_000),
          `gkr_${'A'.repeat(50_000)}`,
          `${'e'.repeat(25_000)}.e.e`,
        ]) {
          const before = await snapshot(server);
          const res = await postForm(`${server.url}${path}`, { token }, auth());
          expect(res.status, path).toBe(200);
          expect(res.text, path).toBe(path === '/oauth2/revoke' ? '' : '{"active":false}');
          await expectUnchanged(server, before, path);
        }
      }
    });

    it('ignores thousands of unknown parameters (RFC 6749 §3.1) without failing', async () => {
      const junk = Array.from({ length: 5000 }, (_, i) => `p${i}=${i}`).join('&');
      const res = await postForm(
        `${server.url}/oauth2/token`,
        `grant_type=client_credentials&${junk}`,
        auth(),
      );
      expect(res.status).toBe(200);
      const names = Array.from({ length: 3000 }, (_, i) => `${'n'.repeat(8)}${i}=`).join('&');
      const res2 = await attack(
        '/oauth2/introspect',
        { form: `${names}&token=x&client_id=${postClient.id}` },
        { status: 401, error: 'invalid_client' },
      );
      expect(res2.text.length).toBeLessThan(500);
    });
  });
});
