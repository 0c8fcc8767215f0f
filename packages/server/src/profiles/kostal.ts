import type { Profile } from './profile.js';

/**
 * KOSTAL Smart Energy Meter (seeds/kostal-sem-access-tokens.txt): personal
 * access tokens created, AUTHORISEd and REVOKEd by an administrator (CLI,
 * admin API, admin page). They are served in every deployment; naming the
 * profile changes no token path.
 */
export const kostalProfile: Profile = {
  name: 'kostal',
  tokenPaths: [],
};
