import type { Profile } from '../profile.js';

/**
 * eDRV (seeds/edrv-token-request.txt): client_credentials at `/oauth/token`
 * with `client_id`, `client_secret` and `audience` in the form, 24-hour
 * tokens, `scope` a space-separated string. Errors stay RFC 6749 JSON.
 */
export const edrvProfile: Profile = {
  name: 'edrv',
  tokenPaths: ['/oauth/token'],
  accessTokenTtlSeconds: 86400,
};
