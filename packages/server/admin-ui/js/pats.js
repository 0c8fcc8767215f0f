// @ts-check
import { api, SIGN_OUT_EVENT } from './api.js';
import {
  busy,
  confirmAction,
  dialogError,
  fieldProblem,
  formDialog,
  openDialog,
  showSecret,
} from './dialogs.js';
import { $, $$, $as, dialog as dialogById, input } from './dom.js';
import { dateFormat, futureIso, quoted, toDate, toLocalInput, words } from './format.js';
import { load, rows } from './list.js';
import { showNotice } from './messages.js';
import { getSession } from './store.js';
import { actionsColumn, badgeColumn, byNewest, textColumn, timeColumn } from './table.js';

/**
 * Access tokens (PATs): ADD, show once, AUTHORISE, REVOKE.
 *
 * @typedef {{ id: string, name: string, role: string, scope: string, status: string, api: boolean, web: boolean, created_at: string | null, expires_at: string | null, last_used_at: string | null }} Pat
 */

/** @param {Pat} pat */
function interfacesOf(pat) {
  const parts = [];
  if (pat.api) parts.push('JSON API');
  if (pat.web) parts.push('web page');
  return parts.length === 0 ? '—' : parts.join(', ');
}

/** @param {Pat} p */
const usable = (p) => p.status === 'pending' || p.status === 'active';

/** @type {import('./list.js').Section<Pat>} */
export const pats = {
  name: 'pats',
  path: () => 'pats',
  noun: ['access token', 'access tokens'],
  sort: byNewest((p) => p.created_at),
  key: (p) => p.id,
  search: (p) => [p.scope, p.id],
  columns: [
    textColumn('Name', (p) => p.name, 'name'),
    textColumn('Role', (p) => p.role),
    badgeColumn('Status', (p) => p.status),
    textColumn('Authorised for', interfacesOf),
    timeColumn('Created', (p) => p.created_at),
    timeColumn('Expires', (p) => p.expires_at, { none: 'never' }),
    timeColumn('Last used', (p) => p.last_used_at, { none: 'never' }),
    actionsColumn(
      (p) =>
        usable(p)
          ? [
              { label: 'Authorise', name: `Authorise ${p.name}`, action: 'authorise' },
              { label: 'Revoke', name: `Revoke ${p.name}`, action: 'revoke', danger: true },
            ]
          : [],
      (p) => p.id,
    ),
  ],
  actions: {
    authorise: (p) => openAuthorise(p),
    revoke: (p) => revokePat(p),
  },
  wire() {
    const open = formDialog('#pat-add-dialog', submitAddPat, () => {
      input('#pat-expires').min = toLocalInput(new Date());
    });
    $('#pat-add').addEventListener('click', open);
    $as('#pat-authorise-form', HTMLFormElement).addEventListener('submit', submitAuthorise);
  },
};

/**
 * @param {HTMLDialogElement} dialog
 */
async function submitAddPat(dialog) {
  const nameInput = input('#pat-name');
  const name = nameInput.value.trim();
  nameInput.removeAttribute('aria-invalid');
  if (name === '') return fieldProblem(dialog, nameInput, 'Enter a name.');
  const expires = futureIso(input('#pat-expires'));
  if (expires.error) return fieldProblem(dialog, input('#pat-expires'), expires.error);
  const scope = words(input('#pat-scope').value);
  const body = {
    name,
    role: $as('#pat-role', HTMLSelectElement).value,
    ...(scope === '' ? {} : { scope }),
    ...(expires.iso === undefined ? {} : { expires: expires.iso }),
  };
  /** @type {(Pat & { token: string }) | undefined} */
  const created = await busy(dialog, () => api('POST', 'pats', body));
  if (created === undefined) return;
  dialog.close();
  await load(pats);
  showNotice(`Access token ${quoted(created.name)} created. Authorise it before it is used.`);
  showSecret({
    title: 'Your new access token',
    intro: `The access token ${quoted(created.name)} (role ${created.role}) is pending: it works only after you AUTHORISE it for the JSON API and/or the web page.`,
    label: 'Access token',
    value: created.token,
    returnTo: () =>
      $$('#panel-pats button[data-action="authorise"]').find((b) => b.dataset.id === created.id),
  });
}

/** @param {Pat} pat */
function openAuthorise(pat) {
  const dialog = dialogById('#pat-authorise-dialog');
  const form = $as('#pat-authorise-form', HTMLFormElement);
  form.reset();
  // Which PAT the dialog is for: on its form, not in a variable.
  form.dataset.id = pat.id;
  $('[data-pat-name]', dialog).textContent = quoted(pat.name);
  const expiry = toDate(pat.expires_at);
  $('[data-pat-expiry]', dialog).textContent = expiry === null ? 'none' : dateFormat.format(expiry);
  input('#pat-authorise-api').checked = pat.api;
  input('#pat-authorise-web').checked = pat.web;
  const field = input('#pat-authorise-expires');
  field.min = toLocalInput(new Date());
  if (expiry === null) field.removeAttribute('max');
  else field.max = toLocalInput(expiry);
  openDialog(dialog);
}

/** @param {SubmitEvent} event */
async function submitAuthorise(event) {
  event.preventDefault();
  const dialog = dialogById('#pat-authorise-dialog');
  const id = $as('#pat-authorise-form', HTMLFormElement).dataset.id;
  const pat = rows(pats)?.find((p) => p.id === id);
  if (pat === undefined) return;
  const apiBox = input('#pat-authorise-api');
  const webBox = input('#pat-authorise-web');
  if (!apiBox.checked && !webBox.checked) {
    dialogError(dialog, 'Choose the JSON API, the web page or both.');
    apiBox.focus();
    return;
  }
  const expiresField = input('#pat-authorise-expires');
  const expires = futureIso(expiresField, { before: toDate(pat.expires_at) ?? undefined });
  if (expires.error) {
    dialogError(dialog, expires.error);
    expiresField.focus();
    return;
  }
  const body = {
    api: apiBox.checked,
    web: webBox.checked,
    ...(expires.iso === undefined ? {} : { expires: expires.iso }),
  };
  const updated = await busy(dialog, () =>
    api('POST', `pats/${encodeURIComponent(pat.id)}/authorise`, body),
  );
  if (updated === undefined) return;
  const where = [body.api ? 'the JSON API' : '', body.web ? 'the web page' : '']
    .filter(Boolean)
    .join(' and ');
  showNotice(`${quoted(pat.name)} is authorised for ${where}.`);
  await load(pats);
  dialog.close();
}

/** @param {Pat} pat */
async function revokePat(pat) {
  const self = getSession()?.id === pat.id;
  const result = await confirmAction({
    title: 'Revoke access token',
    message: `Revoke ${quoted(pat.name)}? Every request made with it will be rejected from now on. This cannot be undone.${
      self ? ' It is the token you are signed in with: you will be signed out.' : ''
    }`,
    confirmLabel: 'Revoke',
    action: () => api('POST', `pats/${encodeURIComponent(pat.id)}/revoke`),
  });
  if (result === undefined) return;
  showNotice(`${quoted(pat.name)} is revoked.`);
  if (self) {
    // main.js signs out on this event, with this notice.
    const notice = `${quoted(pat.name)} is revoked; you have been signed out.`;
    window.dispatchEvent(new CustomEvent(SIGN_OUT_EVENT, { detail: notice }));
    return;
  }
  await load(pats);
}
