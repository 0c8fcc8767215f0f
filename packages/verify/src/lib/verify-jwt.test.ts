import { type CryptoKey, generateKeyPair, SignJWT } from 'jose';
import { expect, it } from 'vitest';
import { checkHeader } from './header-checks.js';
import { StringPool } from './string-pool.js';
import { type JwtCheckSettings, verifyJwt } from './verify-jwt.js';

const ISSUER = 'https://issuer.test';
const KID = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

it("judges a call waiting for its key by its own allowlist, not a later call's", async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const token = await new SignJWT({ sub: 's', jti: 'j1', scope: 'meters:read' })
    .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setExpirationTime('1h')
    .sign(privateKey);
  // One settings object serves every call, as in verifier.ts.
  const settings: JwtCheckSettings = {
    issuer: ISSUER,
    audience: undefined,
    clockToleranceSeconds: 0,
    pool: new StringPool(),
  };
  let settle: (key: CryptoKey) => void = () => {};
  const key = new Promise<CryptoKey>((resolve) => {
    settle = resolve;
  });
  const checked = checkHeader(token, ['ES256']);
  const verified = verifyJwt(token, checked, key, ['ES256'], settings);
  // Another call, while this one waits for its key, brings a key set with other algorithms.
  const later = verifyJwt(token, checked, publicKey, ['RS256'], settings);
  await expect(later).rejects.toMatchObject({ code: 'unsupported_algorithm' });
  settle(publicKey);
  await expect(verified).resolves.toMatchObject({ kid: KID, token: { jti: 'j1' } });
});
