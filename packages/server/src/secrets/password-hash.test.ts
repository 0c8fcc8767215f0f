import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password-hash.js';

const fast = { logN: 10, r: 8, p: 1 };

describe('scrypt password hashes', () => {
  it('verifies the password and nothing else, in PHC form with a fresh salt', async () => {
    const a = await hashPassword('hunter2 hunter2', fast);
    const b = await hashPassword('hunter2 hunter2', fast);
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('hunter2 hunter2', a, fast)).toEqual({
      ok: true,
      needsRehash: false,
    });
    expect(await verifyPassword('hunter2 hunter3', a, fast)).toEqual({
      ok: false,
      needsRehash: false,
    });
    expect(await verifyPassword('x', 'not a hash', fast)).toEqual({
      ok: false,
      needsRehash: false,
    });
  });

  it('asks for a rehash when the configured parameters changed', async () => {
    const old = await hashPassword('hunter2 hunter2', fast);
    expect(await verifyPassword('hunter2 hunter2', old, { ...fast, logN: 11 })).toEqual({
      ok: true,
      needsRehash: true,
    });
  });

  it('treats composed and decomposed spellings of a password alike (NFC)', async () => {
    const h = await hashPassword('caf\u00e9 au lait', fast);
    expect((await verifyPassword('cafe\u0301 au lait', h, fast)).ok).toBe(true);
  });
});
