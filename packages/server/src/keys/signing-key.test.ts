import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, openSigningKey, SIGNING_ALGORITHMS } from './signing-key.js';

describe('generateSigningKey', () => {
  it.each(SIGNING_ALGORITHMS)(
    'makes a sealed %s key named by its RFC 7638 thumbprint',
    async (alg) => {
      const kek = randomBytes(32);
      const record = await generateSigningKey(alg, kek, { now: 100, activeFrom: 160 });
      const published = JSON.parse(record.publicJwk) as JWK;
      expect(published).toMatchObject({ kid: record.kid, alg, use: 'sig' });
      const { kid: _kid, alg: _alg, use: _use, ...bare } = published;
      expect(record.kid).toBe(await calculateJwkThumbprint(bare, 'sha256'));
      expect(openSigningKey(record, kek).publicJwk).toMatchObject({ kid: record.kid });
      expect(() => openSigningKey(record, randomBytes(32))).toThrow();
    },
  );

  it('lets the event loop turn while an RSA key is made', async () => {
    // A running server rotates its keys from the admin API: generated on the
    // event loop, an RSA key would hold every request for up to a second.
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    await generateSigningKey('RS256', randomBytes(32), { now: 0, activeFrom: 0 });
    expect(turned).toBe(true);
  });
});
