import { describe, expect, it } from 'vitest';
import { resolveTokenRoutes } from '../index.js';
import { standardProfile } from './index.js';

describe('the standard profile', () => {
  it('serves every token path, with plain RFC 6749 answers and no route of its own', () => {
    const routes = resolveTokenRoutes([]);
    expect([...routes.keys()]).toEqual(['/oauth2/token', '/oauth/token', '/v2/token']);
    for (const profile of routes.values()) expect(profile).toBe(standardProfile);
    expect(resolveTokenRoutes(['standard'])).toEqual(routes);
    expect(standardProfile.accessTokenTtlSeconds).toBeUndefined();
    expect(standardProfile.shapeTokenResponse).toBeUndefined();
    expect(standardProfile.shapeError).toBeUndefined();
    expect(standardProfile.registerRoutes).toBeUndefined();
  });
});
