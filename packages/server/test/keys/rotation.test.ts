import { generateKeyPairSync } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  jwtVerify,
} from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  FakeClock,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import { rotateSigningKeys } from '../../src/keys/key-ring.js';
import { nowSeconds } from '../../src/lib/clock.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';

describe.each(storeTargets())('signing key rotation on $kind', (target) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function token(s: TestServer, client: { id: string; secret: string }) {
    const res = await postForm(
      `${s.url}/oauth2/token`,
      { grant_type: 'client_credentials' },
      {
        authorization: basic(client.id, client.secret),
      },
    );
    expect(res.status).toBe(200);
    return res.json.access_token as string;
  }
  const jwks = async (s: TestServer) =>
    (await (await fetch(`${s.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
  const kids = (set: JSONWebKeySet) => set.keys.map((k) => k.kid);

  it('publishes the new key before it signs, keeps the old one until its tokens expire', async () => {
    const clock = new FakeClock();
    server = await startTestServer(target, {
      clock,
      config: { keyActivationDelaySeconds: 30, accessTokenMaxTtlSeconds: 3600 },
    });
    const client = await server.client({ name: 'c', accessTokenTtlSeconds: 3600 });
    const before = await token(server, client);
    const oldKid = decodeProtectedHeader(before).kid;
    expect(oldKid).toBeDefined();

    const { created, retired } = await rotateSigningKeys({
      store: server.gk.store,
      keyEncryptionKey: server.gk.secrets.keyEncryptionKey,
      now: nowSeconds(clock),
      activationDelaySeconds: 30,
      maxTokenTtlSeconds: 3600,
    });
    expect(retired).toContain(oldKid);
    await server.gk.keys.refresh();
    const newKid = created.find((k) => k.alg === 'ES256')?.kid;

    // Published at once, not yet signing.
    expect(kids(await jwks(server))).toEqual(expect.arrayContaining([oldKid, newKid]));
    const during = await token(server, client);
    expect(decodeProtectedHeader(during).kid).toBe(oldKid);

    clock.advance(30);
    const after = await token(server, client);
    expect(decodeProtectedHeader(after).kid).toBe(newKid);

    // Tokens in flight from both keys verify against the published set.
    const remote = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const at = new Date(clock.now());
    for (const t of [before, during, after]) {
      await expect(jwtVerify(t, remote, { currentDate: at })).resolves.toBeDefined();
    }

    // Once every token the old key signed has expired, it leaves the JWKS.
    clock.advance(3600);
    const later = await jwks(server);
    expect(kids(later)).not.toContain(oldKid);
    expect(kids(later)).toContain(newKid);
    await expect(
      jwtVerify(after, createLocalJWKSet(later), { currentDate: new Date(clock.now() - 1000) }),
    ).resolves.toBeDefined();
  });

  it('a running server picks up a rotation made by the CLI without a restart', async () => {
    server = await startTestServer(target, { config: { keyPollIntervalSeconds: 0.1 } });
    server.gk.keys.start(() => {});
    const client = await server.client({ name: 'c' });
    const oldKid = decodeProtectedHeader(await token(server, client)).kid;
    const cli = await runCli([
      'keys',
      'rotate',
      '--activate-in',
      '0',
      '--json',
      '--data-dir',
      server.dataDir,
      '--db',
      server.dbUrl,
    ]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const out = cli.json() as { created: { kid: string; alg: string }[]; retired: string[] };
    const newKid = out.created.find((k) => k.alg === 'ES256')?.kid;
    expect(out.retired).toContain(oldKid);
    const s = server;
    await vi.waitFor(
      async () => expect(decodeProtectedHeader(await token(s, client)).kid).toBe(newKid),
      {
        timeout: 10_000,
        interval: 100,
      },
    );
    expect(kids(await jwks(server))).toEqual(expect.arrayContaining([oldKid, newKid]));
  });

  it('never publishes a key planted in the database without the sealed private half', async () => {
    server = await startTestServer(target);
    const [real] = await server.gk.store.signingKeys.list();
    const planted = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      format: 'jwk',
    });
    const store = server.gk.store as KyselyStore;
    await store.db
      .insertInto('signing_keys')
      .values({
        kid: 'planted',
        alg: 'ES256',
        number: 99,
        public_jwk: JSON.stringify({ ...planted, kid: 'planted', alg: 'ES256', use: 'sig' }),
        private_key_enc: real?.privateKeyEnc ?? '',
        created_at: 0,
        active_from: 0,
        retired_at: Math.floor(Date.now() / 1000),
      })
      .execute();
    await server.gk.keys.refresh();
    expect(kids(await jwks(server))).not.toContain('planted');
    expect(kids(await jwks(server))).toContain(real?.kid);
  });

  it('never publishes private key material', async () => {
    server = await startTestServer(target);
    for (const key of (await jwks(server)).keys) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
        expect(key).not.toHaveProperty(member);
      expect(key.use).toBe('sig');
    }
    expect((await jwks(server)).keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
  });
});
