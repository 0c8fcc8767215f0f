// @ts-check
import { api } from './api.js';
import { busy, confirmAction, fieldProblem, formDialog, showSecret } from './dialogs.js';
import { $, input } from './dom.js';
import { futureIso, list, quoted, toLocalInput, words } from './format.js';
import { load } from './list.js';
import { showNotice } from './messages.js';
import { actionsColumn, badgeColumn, byNewest, textColumn, timeColumn } from './table.js';

/**
 * API keys (`gk_…`): create (shown once), revoke. Only a hint of each key is listed.
 *
 * @typedef {{ id: string, name: string, key_hint: string, scope: string, status: string, created_at: string | null, expires_at: string | null, last_used_at: string | null }} ApiKey
 */

/** @type {import('./list.js').Section<ApiKey>} */
export const apiKeys = {
  name: 'api-keys',
  path: () => 'api-keys',
  noun: ['API key', 'API keys'],
  sort: byNewest((k) => k.created_at),
  key: (k) => k.id,
  search: (k) => [k.id],
  columns: [
    textColumn('Name', (k) => k.name, 'name'),
    textColumn('Key', (k) => k.key_hint, 'mono'),
    textColumn('Scope', (k) => list(k.scope)),
    badgeColumn('Status', (k) => k.status),
    timeColumn('Created', (k) => k.created_at),
    timeColumn('Expires', (k) => k.expires_at, { none: 'never' }),
    timeColumn('Last used', (k) => k.last_used_at, { none: 'never' }),
    actionsColumn(
      (k) =>
        k.status === 'active'
          ? [{ label: 'Revoke', name: `Revoke API key ${k.name}`, action: 'revoke', danger: true }]
          : [],
      (k) => k.id,
    ),
  ],
  actions: { revoke: revokeApiKey },
  wire() {
    const open = formDialog('#api-key-add-dialog', submitAddApiKey, () => {
      input('#api-key-expires').min = toLocalInput(new Date());
    });
    $('#api-key-add').addEventListener('click', open);
  },
};

/** @param {HTMLDialogElement} dialog */
async function submitAddApiKey(dialog) {
  const nameInput = input('#api-key-name');
  const name = nameInput.value.trim();
  if (name === '') return fieldProblem(dialog, nameInput, 'Enter a name.');
  const scope = words(input('#api-key-scope').value);
  const expires = futureIso(input('#api-key-expires'));
  if (expires.error) return fieldProblem(dialog, input('#api-key-expires'), expires.error);
  const body = {
    name,
    ...(scope === '' ? {} : { scope }),
    ...(expires.iso === undefined ? {} : { expires: expires.iso }),
  };
  /** @type {(ApiKey & { key: string }) | undefined} */
  const created = await busy(dialog, () => api('POST', 'api-keys', body));
  if (created === undefined) return;
  dialog.close();
  await load(apiKeys);
  showNotice(`API key ${quoted(created.name)} created.`);
  showSecret({
    title: 'New API key',
    intro: `The API key ${quoted(created.name)}: send it as Authorization: Bearer.`,
    label: 'API key',
    value: created.key,
  });
}

/** @param {ApiKey} key */
async function revokeApiKey(key) {
  const what = `API key ${quoted(key.name)} (${key.key_hint})`;
  const result = await confirmAction({
    title: 'Revoke API key',
    message: `Revoke ${what}? Requests made with it will be rejected from now on. This cannot be undone.`,
    confirmLabel: 'Revoke',
    action: () => api('POST', `api-keys/${encodeURIComponent(key.id)}/revoke`),
  });
  if (result === undefined) return;
  showNotice(`${what} is revoked.`);
  await load(apiKeys);
}
