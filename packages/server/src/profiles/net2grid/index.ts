import type { Profile } from '../profile.js';

/**
 * NET2GRID CE-API (seeds/net2grid-ce-api-token.txt): the password and
 * refresh grants at `POST /v2/token`, one-hour access tokens, and `scope`
 * answered as a JSON array in the documented field order.
 */
export const net2gridProfile: Profile = {
  name: 'net2grid',
  tokenPaths: ['/v2/token'],
  accessTokenTtlSeconds: 3600,
  shapeTokenResponse(response) {
    const { access_token, refresh_token, id_token, expires_in, token_type, scope, ...rest } =
      response;
    return {
      access_token,
      ...(refresh_token === undefined ? {} : { refresh_token }),
      ...(id_token === undefined ? {} : { id_token }),
      expires_in,
      token_type,
      scope: scope.split(' ').filter(Boolean),
      ...rest,
    };
  },
};
