import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { signCompactJws } from './compact-jws.js';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

const claimValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 4 }),
);

describe('signCompactJws', () => {
  it('produces ES256 tokens that jose verifies, whatever the claims', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), claimValue),
        fc.string({ minLength: 1, maxLength: 20 }),
        async (claims, kid) => {
          const token = signCompactJws({ alg: 'ES256', kid, typ: 'at+jwt' }, claims, ec.privateKey);
          const { payload, protectedHeader } = await jwtVerify(token, ec.publicKey, {
            typ: 'at+jwt',
          });
          expect(protectedHeader).toEqual({ alg: 'ES256', kid, typ: 'at+jwt' });
          for (const [k, v] of Object.entries(claims)) expect(payload[k]).toEqual(v);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('produces RS256 tokens that jose verifies', async () => {
    const token = signCompactJws(
      { alg: 'RS256', kid: 'r', typ: 'JWT' },
      { sub: 'x', exp: 2e9 },
      rsa.privateKey,
    );
    const { payload } = await jwtVerify(token, rsa.publicKey);
    expect(payload.sub).toBe('x');
    expect(decodeProtectedHeader(token).alg).toBe('RS256');
  });

  it('fails verification when one payload byte changes', async () => {
    const token = signCompactJws(
      { alg: 'ES256', kid: 'k', typ: 'at+jwt' },
      { scope: 'read' },
      ec.privateKey,
    );
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from('{"scope":"reaD"}').toString('base64url')}.${s}`;
    await expect(jwtVerify(forged, ec.publicKey)).rejects.toThrow(/signature verification failed/);
  });
});
