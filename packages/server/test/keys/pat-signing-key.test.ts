import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  FakeClock,
  rotateKeys,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

describe.each(storeTargets())('the key that signed a PAT on $kind', (target) => {
  let server: TestServer;
  const clock = new FakeClock();

  beforeAll(async () => {
    server = await startTestServer(target, { clock });
  });
  afterAll(() => server.close());

  const rotate = () => rotateKeys(server, Math.floor(clock.now() / 1000));
  const publishedKids = async () => {
    await server.gk.keys.refresh();
    const res = await fetch(`${server.url}/.well-known/jwks.json`);
    return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
  };

  it('stays in the JWKS while the PAT lives, so verifiers can still check it offline', async () => {
    const now = Math.floor(clock.now() / 1000);
    const pat = await server.gk.pats.create({
      name: 'meter app',
      role: 'viewer',
      expiresAt: now + 10 * 86_400,
    });
    const { kid } = decodeProtectedHeader(pat.token);
    await rotate();
    // Long past every access token the old key signed, before the PAT expires.
    clock.advance(server.config.accessTokenMaxTtlSeconds * 3);
    expect((await rotate()).deleted).toBe(1); // the old ES256 key only
    expect(await publishedKids()).toContain(kid);

    clock.advance(10 * 86_400);
    await rotate();
    expect(await publishedKids()).not.toContain(kid);
  });
});
