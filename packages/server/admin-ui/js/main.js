// @ts-check
/**
 * gridkey admin page: native ES modules, no build step, no dependencies.
 *
 * The admin token (a PAT with role admin, authorised for the web page) is
 * kept in the browser's local storage (store.js) and sent as
 * `Authorization: Bearer` with `X-Gridkey-Interface: web` on every call to
 * the admin API (api.js). Sign out removes it.
 */
import { SIGN_OUT_EVENT, UNAUTHORISED_EVENT } from './api.js';
import { apiKeys } from './api-keys.js';
import { audit } from './audit.js';
import { clients } from './clients.js';
import { wireDialogs } from './dialogs.js';
import { wireList } from './list.js';
import { loginTokens } from './login-tokens.js';
import { pats } from './pats.js';
import { signOut, startSession, wireSignIn } from './session.js';
import { signingKeys } from './signing-keys.js';
import { getSession, getToken, TOKEN_KEY } from './store.js';
import { wireTabs } from './tabs.js';
import { usage } from './usage.js';
import { users } from './users.js';

/**
 * In the order of the tabs; the first is shown when the URL names none.
 *
 * @type {readonly import('./list.js').AnySection[]}
 */
const sections = Object.freeze([
  pats,
  clients,
  usage,
  users,
  loginTokens,
  apiKeys,
  signingKeys,
  audit,
]);

wireDialogs();
wireSignIn(sections);
wireTabs(sections, () => getSession() !== null);
for (const section of sections) wireList(section);

window.addEventListener(UNAUTHORISED_EVENT, (event) => {
  const detail = event instanceof CustomEvent ? String(event.detail) : '';
  signOut({ error: `You have been signed out: ${detail}` });
});
window.addEventListener(SIGN_OUT_EVENT, (event) => {
  signOut({ notice: event instanceof CustomEvent ? String(event.detail) : '' });
});
// Signed out (or in) in another tab of this browser.
window.addEventListener('storage', (event) => {
  if (event.key !== TOKEN_KEY && event.key !== null) return;
  if (getToken() === null && getSession() !== null) {
    signOut({ notice: 'Signed out in another window.' });
  }
});

if (getToken()) startSession(sections);
else signOut();
