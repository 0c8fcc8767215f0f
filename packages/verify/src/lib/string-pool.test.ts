import { describe, expect, it } from 'vitest';
import { StringPool } from './string-pool.js';

describe('StringPool', () => {
  it('shares one copy of equal lists, and never one list for another', () => {
    const pool = new StringPool();
    const ab = pool.internList(['meters:read', 'meters:write']);
    expect(pool.internList(['meters:read', 'meters:write'])).toBe(ab);
    // A single scope with a space in it is not the two scopes.
    expect(pool.internList(['meters:read meters:write'])).toEqual(['meters:read meters:write']);
    expect(pool.internList([''])).toEqual(['']);
    expect(pool.internList([])).toEqual([]);
    expect(Object.isFrozen(ab)).toBe(true);
  });

  it('stays bounded', () => {
    const pool = new StringPool(10);
    const first = pool.intern(`v${0}`);
    for (let i = 1; i <= 20; i++) pool.intern(`v${i}`);
    // Started again when full: an equal string is pooled anew, still equal.
    expect(pool.intern('v0')).toBe(first);
  });
});
