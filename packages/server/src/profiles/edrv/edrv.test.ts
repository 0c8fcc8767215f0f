import { describe, expect, it } from 'vitest';
import { resolveTokenRoutes } from '../index.js';
import { standardProfile } from '../standard/index.js';
import { edrvProfile } from './index.js';

describe('the edrv profile', () => {
  it('takes /oauth/token with 24-hour tokens and leaves the other paths standard', () => {
    const routes = resolveTokenRoutes(['edrv']);
    expect(routes.get('/oauth/token')).toBe(edrvProfile);
    expect(routes.get('/oauth2/token')).toBe(standardProfile);
    expect(routes.get('/v2/token')).toBe(standardProfile);
    expect(edrvProfile.accessTokenTtlSeconds).toBe(86400);
    // Errors and responses stay RFC 6749; nothing of its own beyond the path.
    expect(edrvProfile.shapeError).toBeUndefined();
    expect(edrvProfile.shapeTokenResponse).toBeUndefined();
    expect(edrvProfile.registerRoutes).toBeUndefined();
  });
});
