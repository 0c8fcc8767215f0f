import type { Profile } from '../profile.js';

/**
 * DepotFinity (seeds/depotfinity-token-management.txt): client_credentials
 * at `/oauth2/token` with client_secret_basic, 24-hour tokens by default, and
 * "if the access token request is invalid, error responses are returned with
 * the HTTP 403 status code". Excessive requests keep their 429.
 */
export const depotfinityProfile: Profile = {
  name: 'depotfinity',
  tokenPaths: ['/oauth2/token'],
  accessTokenTtlSeconds: 86400,
  shapeError(_err, standard) {
    if (standard.status === 429 || standard.status >= 500) return standard;
    // A Basic challenge belongs to 401; with 403 it would invite a retry.
    const { 'www-authenticate': _challenge, ...headers } = standard.headers;
    return { status: 403, body: standard.body, headers };
  },
};
