import { describe, expect, it } from 'vitest';
import { resolveTokenRoutes } from '../index.js';
import { kostalProfile } from './index.js';

describe('the kostal profile', () => {
  it('is known and serves nothing of its own: PATs are gridkey’s admin credentials too', () => {
    expect(kostalProfile.tokenPaths).toEqual([]);
    expect(kostalProfile.registerRoutes).toBeUndefined();
    expect(resolveTokenRoutes(['kostal'])).toEqual(resolveTokenRoutes([]));
  });
});
