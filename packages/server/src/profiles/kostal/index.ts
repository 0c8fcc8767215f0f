import type { Profile } from '../profile.js';

/**
 * KOSTAL Smart Energy Meter (seeds/kostal-sem-access-tokens.txt): personal
 * access tokens created, AUTHORISEd and REVOKEd by an administrator (CLI,
 * admin API, admin page).
 *
 * The profile serves no token path and no route of its own, on purpose: PATs
 * are also gridkey's admin credentials (the admin API and page authenticate
 * with admin PATs, admin/admin-auth.ts), so issuing, authorising, verifying
 * and introspecting them must work in every deployment. The seed's
 * `GET /api/json/<resource>` is the meter's own API, not the token server's.
 * Naming the profile is accepted and changes nothing.
 */
export const kostalProfile: Profile = {
  name: 'kostal',
  tokenPaths: [],
};
