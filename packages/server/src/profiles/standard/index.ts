import type { Profile } from '../profile.js';

/** Plain RFC 6749 behaviour on every token path gridkey knows; applies with or without naming. */
export const standardProfile: Profile = {
  name: 'standard',
  tokenPaths: ['/oauth2/token', '/oauth/token', '/v2/token'],
};
