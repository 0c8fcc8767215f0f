import { describe, expect, it } from 'vitest';
import { resolveTokenRoutes } from '../index.js';
import { net2gridProfile } from './index.js';

describe('the net2grid profile', () => {
  it('takes /v2/token with one-hour tokens', () => {
    expect(resolveTokenRoutes(['net2grid']).get('/v2/token')).toBe(net2gridProfile);
    expect(net2gridProfile.accessTokenTtlSeconds).toBe(3600);
    expect(net2gridProfile.registerRoutes).toBeUndefined();
  });

  it('answers scope as a JSON array, in the documented field order', () => {
    const shaped = net2gridProfile.shapeTokenResponse?.({
      scope: 'insights:read  meters',
      token_type: 'Bearer',
      expires_in: 3600,
      id_token: 'i',
      refresh_token: 'r',
      access_token: 'a',
    });
    expect(JSON.stringify(shaped)).toBe(
      '{"access_token":"a","refresh_token":"r","id_token":"i","expires_in":3600,"token_type":"Bearer","scope":["insights:read","meters"]}',
    );
    const withoutRefresh = net2gridProfile.shapeTokenResponse?.({
      access_token: 'a',
      token_type: 'Bearer',
      expires_in: 3600,
      scope: '',
    });
    expect(withoutRefresh).toEqual({
      access_token: 'a',
      expires_in: 3600,
      token_type: 'Bearer',
      scope: [],
    });
  });
});
