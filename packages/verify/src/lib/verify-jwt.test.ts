import { type CryptoKey, generateKeyPair, SignJWT } from 'jose';
import { expect, it } from 'vitest';
import { checkHeader } from './header-checks.js';
import { StringPool } from './string-pool.js';
import { type JwtCheckSettings, verifyJwt } from './verify-jwt.js';

const ISSUER = 'https://issuer.test';
const KID = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

it("takes jose's options in the call's own turn, not when its key promise settles", async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const token = await new SignJWT({ sub: 's', jti: 'j1', scope: 'meters:read' })
    .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setExpirationTime('1h')
    .sign(privateKey);
  // One settings object serves every call (verifier.ts sets the allowlist on it per call).
  const settings: JwtCheckSettings = {
    issuer: ISSUER,
    audience: undefined,
    algorithms: ['ES256'],
    clockToleranceSeconds: 0,
    pool: new StringPool(),
  };
  let settle: (key: CryptoKey) => void = () => {};
  const key = new Promise<CryptoKey>((resolve) => {
    settle = resolve;
  });
  const verified = verifyJwt(token, checkHeader(token, settings.algorithms), key, settings);
  // Another call, while this one waits for its key, brings a key set with other algorithms.
  settings.algorithms = ['RS256'];
  settle(publicKey);
  await expect(verified).resolves.toMatchObject({ kid: KID, token: { jti: 'j1' } });
});
