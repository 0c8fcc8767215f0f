import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
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
 * Look-alike user names (OWASP ASVS 5 V6.3, UTS #39 §4 skeletons, RFC 8265
 * §3.3 for why case and NFC are folded). The policy in src/users/: an
 * e-mail is stored trimmed, NFC and lower-cased, and no two users may share
 * a skeleton (confusables replaced, marks and invisible characters dropped).
 * So a look-alike can neither be created nor log in as the original.
 */

const PASSWORD = 'alice has a long password';
const ATTACKER_PASSWORD = 'the attacker has one too';

/** Each a different string from "alice@example.com" that a person could read as it. */
const LOOK_ALIKES: [string, string][] = [
  ['a Cyrillic а', '\u0430lice@example.com'],
  ['all Cyrillic look-alikes', '\u0430l\u0456\u0441\u0435@example.com'],
  ['a Cyrillic а in the domain', 'alice@ex\u0430mple.com'],
  ['upper case', 'ALICE@EXAMPLE.COM'],
  ['mixed case', 'Alice@Example.Com'],
  ['surrounding spaces', '  alice@example.com  '],
  ['a zero-width space', 'alice\u200b@example.com'],
  ['a zero-width non-joiner', 'al\u200cice@example.com'],
  ['a zero-width joiner', 'al\u200dice@example.com'],
  ['a word joiner', 'alice\u2060@example.com'],
  ['a soft hyphen', 'al\u00adice@example.com'],
  ['a combining grapheme joiner', 'al\u034fice@example.com'],
  ['an invisible separator', 'al\u2063ice@example.com'],
  ['a Mongolian vowel separator', 'al\u180eice@example.com'],
  ['a variation selector', 'a\ufe0flice@example.com'],
  ['a combining acute accent (NFD)', 'a\u0301lice@example.com'],
  ['a precomposed á (NFC)', '\u00e1lice@example.com'],
  ['a fullwidth ａ', '\uff41lice@example.com'],
  ['a mathematical bold 𝐚', '\u{1d41a}lice@example.com'],
  ['a dotless ı', 'al\u0131ce@example.com'],
  ['a right-to-left override', 'alice\u202e@example.com'],
  ['a byte-order mark', 'alice\ufeff@example.com'],
];

describe.each(storeTargets())('look-alike users on $kind', (target) => {
  let server: TestServer;
  let admin: string;
  let app: { id: string; secret: string };
  let alice: { id: string };

  beforeAll(async () => {
    server = await startTestServer(target, { config: GENEROUS_LIMITS });
    admin = (await server.gk.pats.createAdminToken()).token;
    app = await server.client({
      name: 'app',
      scopes: ['read'],
      grantTypes: ['password'],
      authMethod: 'client_secret_post',
    });
    const created = await createUser('alice@example.com', PASSWORD);
    expect(created.status).toBe(201);
    alice = created.json as { id: string };
  });
  afterAll(() => server.close());

  const createUser = (email: string, password: string) =>
    send(`${server.url}/admin/api/users`, {
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  const login = (username: string, password: string) =>
    postForm(`${server.url}/oauth2/token`, {
      grant_type: 'password',
      username,
      password,
      client_id: app.id,
      client_secret: app.secret,
    });
  const secrets = () => [admin, app.secret, PASSWORD, ATTACKER_PASSWORD];

  it.each(LOOK_ALIKES)(
    'refuses to create a user with %s, storing nothing',
    async (_name, email) => {
      const before = await snapshot(server);
      const res = await createUser(email, ATTACKER_PASSWORD);
      expect(res.status).toBe(400);
      expect(res.json?.error).toBe('invalid_request');
      expect(res.json?.error_description).toMatch(
        /^email (is taken: a user with that e-mail, or one that looks like it, exists|is not an e-mail address|must not contain control or bidi characters)$/,
      );
      expectNoLeak(res.text, secrets(), email);
      await expectUnchanged(server, before, email);
    },
  );

  it.each(LOOK_ALIKES)(
    'lets %s log in as alice only where it is alice’s own address',
    async (_name, email) => {
      const before = await snapshot(server);
      // The attacker's password never works: no account of theirs exists.
      const attacker = await login(email, ATTACKER_PASSWORD);
      expect(attacker.status).toBe(400);
      expect(attacker.json.error).toBe('invalid_grant');
      await expectUnchanged(server, before, email);
      // Alice's password works for the spellings that ARE her address (case,
      // spaces: folded by policy), and for no look-alike.
      const res = await login(email, PASSWORD);
      const same = email.trim().normalize('NFC').toLowerCase() === 'alice@example.com';
      if (same) {
        expect(res.status).toBe(200);
        expect(decodeJwt(res.json.access_token as string).sub).toBe(alice.id);
      } else {
        expect(res.status).toBe(400);
        expect(res.json.error).toBe('invalid_grant');
      }
      expectNoLeak(res.text, secrets(), email);
    },
  );

  it('treats the NFC and NFD forms of one address as one user, both ways', async () => {
    for (const [first, second] of [
      ['jos\u00e9@example.com', 'jose\u0301@example.com'],
      ['rene\u0301@example.com', 'ren\u00e9@example.com'],
    ] as const) {
      const created = await createUser(first, PASSWORD);
      expect(created.status).toBe(201);
      const id = (created.json as { id: string }).id;
      const before = await snapshot(server);
      const dup = await createUser(second, ATTACKER_PASSWORD);
      expect(dup.status).toBe(400);
      expect(dup.json?.error).toBe('invalid_request');
      await expectUnchanged(server, before);
      const res = await login(second, PASSWORD);
      expect(res.status).toBe(200);
      expect(decodeJwt(res.json.access_token as string).sub).toBe(id);
    }
  });

  it('a look-alike registered first blocks the original instead of sharing its skeleton', async () => {
    const first = await createUser('b\u043eb@example.com', ATTACKER_PASSWORD); // Cyrillic о
    expect(first.status).toBe(201);
    const before = await snapshot(server);
    const real = await createUser('bob@example.com', PASSWORD);
    expect(real.status).toBe(400);
    expect(real.json?.error).toBe('invalid_request');
    await expectUnchanged(server, before);
    // And the real spelling cannot log in to the look-alike's account.
    expect((await login('bob@example.com', ATTACKER_PASSWORD)).json.error).toBe('invalid_grant');
  });

  it('leaks no password or token into the logs', () => {
    expectNoLeak(server.logs(), secrets(), 'logs');
  });
});
