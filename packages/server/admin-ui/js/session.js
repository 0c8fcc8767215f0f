// @ts-check
import { ApiError, api } from './api.js';
import { $, $$, $as, el, input } from './dom.js';
import { clearMessages, showError, showNotice } from './messages.js';
import { clearRows, clearToken, getSession, setSession, setToken } from './store.js';
import { selectSection } from './tabs.js';

/**
 * Signing in with an admin token, who is signed in, signing out.
 *
 * @typedef {import('./list.js').AnySection} AnySection
 */

function showSignIn() {
  setSession(null);
  $('#app').hidden = true;
  $('#session').hidden = true;
  $('#sign-in').hidden = false;
  input('#admin-token').value = '';
}

/**
 * @param {readonly AnySection[]} sections
 * @param {import('./store.js').SessionPat} pat
 */
function showApp(sections, pat) {
  setSession(pat);
  $('#session-name').textContent = pat.name;
  $('#session-role').textContent = pat.role;
  $('#session').hidden = false;
  $('#sign-in').hidden = true;
  $('#app').hidden = false;
  selectSection(sections, location.hash.replace('#', ''));
}

/**
 * The roles the server knows (a `roles` setting may add some): the ADD form offers them.
 *
 * @param {unknown[]} roles
 */
function useRoles(roles) {
  const names = roles.filter((r) => typeof r === 'string');
  if (names.length === 0) return;
  const roleSelect = $as('#pat-role', HTMLSelectElement);
  roleSelect.replaceChildren(
    ...names.map((name) => {
      const option = el('option', name);
      option.value = name;
      return option;
    }),
  );
  roleSelect.value = names.includes('user') ? 'user' : (names[0] ?? '');
}

/**
 * Removes the token from this browser and shows the sign-in form.
 *
 * @param {{ notice?: string, error?: string }} [messages]
 */
export function signOut({ notice = '', error = '' } = {}) {
  clearToken();
  clearRows();
  for (const open of $$('dialog[open]')) {
    if (open instanceof HTMLDialogElement) open.close();
  }
  showSignIn();
  showNotice(notice);
  showError(error);
  $('#admin-token').focus();
}

/**
 * Asks the server who the stored token belongs to; signs out if it is not a usable admin token.
 *
 * @param {readonly AnySection[]} sections
 * @returns {Promise<boolean>}
 */
export async function startSession(sections) {
  try {
    const body = await api('GET', 'session');
    showApp(sections, body.pat);
    if (Array.isArray(body.roles)) useRoles(body.roles);
    return true;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 401) {
      signOut({ error: `This token is not valid (${err.description}).` });
    } else if (err.status === 403) {
      signOut({ error: `This token is not an admin token (${err.description}).` });
    } else {
      // The server is down or failing: keep the token, let the user retry.
      showSignIn();
      showError(err.description);
    }
    return false;
  }
}

/**
 * The sign-in form.
 *
 * @param {readonly AnySection[]} sections
 */
export function wireSignIn(sections) {
  const form = $as('#sign-in-form', HTMLFormElement);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearMessages();
    const field = input('#admin-token');
    const problem = $('#sign-in-problem');
    const token = field.value.trim();
    problem.hidden = true;
    field.removeAttribute('aria-invalid');
    if (token === '') {
      problem.textContent = 'Paste an admin token.';
      problem.hidden = false;
      field.setAttribute('aria-invalid', 'true');
      field.focus();
      return;
    }
    const button = $as('button[type="submit"]', HTMLButtonElement, form);
    button.disabled = true;
    const kept = setToken(token);
    try {
      if (await startSession(sections)) {
        showNotice(
          `Signed in as ${getSession()?.name}.${
            kept
              ? ''
              : ' This browser does not allow local storage: you will be signed out on reload.'
          }`,
        );
        $$('[role="tab"][aria-selected="true"]')[0]?.focus();
      }
    } finally {
      button.disabled = false;
    }
  });
  $('#sign-out').addEventListener('click', () =>
    signOut({ notice: 'Signed out. The admin token was removed from this browser.' }),
  );
}
