import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { es256Keys, userRecord } from '../lib/unit-fixtures.test-helper.js';
import { issueIdToken } from './id-token.js';

describe('ID tokens', () => {
  it('name the user for the client (OpenID Connect Core §2), typed JWT, never at+jwt', async () => {
    const keys = es256Keys();
    const token = issueIdToken(
      { keys },
      {
        issuer: 'https://gridkey.example',
        user: userRecord(),
        clientId: 'c'.repeat(32),
        authTime: 1_799_999_000,
        ttlSeconds: 600,
        issuedAt: 1_800_000_000,
      },
    );
    const { payload, protectedHeader } = await jwtVerify(token, keys.verificationKeys(), {
      currentDate: new Date(1_800_000_100_000),
      issuer: 'https://gridkey.example',
      audience: 'c'.repeat(32),
    });
    expect(protectedHeader.typ).toBe('JWT');
    expect(payload).toMatchObject({
      sub: 'u-1',
      email: 'ann@example.com',
      auth_time: 1_799_999_000,
      exp: 1_800_000_600,
    });
    await expect(
      jwtVerify(token, keys.verificationKeys(), {
        currentDate: new Date(1_800_000_100_000),
        typ: 'at+jwt',
      }),
    ).rejects.toThrow();
  });
});
