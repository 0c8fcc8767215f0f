import type { Profile } from '../profile.js';
import { registerAccessTokensEndpoint } from './access-tokens.js';

/**
 * Enectiva (seeds/enectiva-access-tokens.txt): customers' long-lived login
 * tokens exchanged at `POST /access_tokens` (and the seed's own
 * `//access_tokens`) for 5-minute ES256 access tokens in a JSON:API
 * document, with Enectiva's claims. It claims no OAuth token path; the
 * exchange is served only when the profile is named.
 */
export const enectivaProfile: Profile = {
  name: 'enectiva',
  tokenPaths: [],
  registerRoutes: registerAccessTokensEndpoint,
};
