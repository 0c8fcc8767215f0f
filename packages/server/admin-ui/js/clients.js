// @ts-check
import { api } from './api.js';
import { busy, confirmAction, fieldProblem, formDialog, showSecret } from './dialogs.js';
import { $, $$, $as, el, input } from './dom.js';
import { list, quoted, words } from './format.js';
import { load } from './list.js';
import { showNotice } from './messages.js';
import { actionsColumn, customColumn, textColumn, timeColumn } from './table.js';

/**
 * OAuth clients: create (secret shown once), rotate the secret, deprecate,
 * revoke every token (the kill switch), delete.
 *
 * @typedef {{ client_id: string, name: string, scope: string, grant_types: string[], token_endpoint_auth_method: string, deprecated: boolean, last_used_at: string | null, created_at: string | null }} Client
 */

/** @param {Client} c */
const id = (c) => encodeURIComponent(c.client_id);

/** @type {import('./list.js').Section<Client>} */
export const clients = {
  name: 'clients',
  path: () => 'clients',
  noun: ['client', 'clients'],
  sort: (a, b) => a.name.localeCompare(b.name),
  key: (c) => c.client_id,
  columns: [
    textColumn('Client ID', (c) => c.client_id, 'mono wrap-anywhere'),
    textColumn('Name', (c) => c.name, 'name'),
    textColumn('Grant types', (c) => list(c.grant_types)),
    textColumn('Scope', (c) => list(c.scope)),
    textColumn('Authentication', (c) => c.token_endpoint_auth_method),
    customColumn('Deprecated', (c) => {
      const td = el('td');
      if (c.deprecated) td.append(el('span', 'deprecated', 'badge badge-deprecated'));
      else td.textContent = 'no';
      return td;
    }),
    timeColumn('Last used', (c) => c.last_used_at, { none: 'never' }),
    actionsColumn(
      (c) => [
        { label: 'Rotate secret', name: `Rotate secret of ${c.name}`, action: 'rotate' },
        c.deprecated
          ? { label: 'Undeprecate', name: `Undeprecate ${c.name}`, action: 'undeprecate' }
          : { label: 'Deprecate', name: `Deprecate ${c.name}`, action: 'deprecate' },
        {
          label: 'Revoke all tokens',
          name: `Revoke all tokens of ${c.name}`,
          action: 'revoke-tokens',
          danger: true,
        },
        { label: 'Delete', name: `Delete ${c.name}`, action: 'delete', danger: true },
      ],
      (c) => c.client_id,
    ),
  ],
  actions: {
    rotate: rotateSecret,
    deprecate: (c, button) => setDeprecated(c, true, button),
    undeprecate: (c, button) => setDeprecated(c, false, button),
    'revoke-tokens': revokeTokens,
    delete: deleteClient,
  },
  wire() {
    $('#client-add').addEventListener('click', formDialog('#client-add-dialog', submitAddClient));
  },
};

/** @param {HTMLDialogElement} dialog */
async function submitAddClient(dialog) {
  const nameInput = input('#client-name');
  const name = nameInput.value.trim();
  nameInput.removeAttribute('aria-invalid');
  if (name === '') return fieldProblem(dialog, nameInput, 'Enter a name.');
  const scope = words(input('#client-scope').value);
  const grants = words(input('#client-grants').value);
  const body = {
    name,
    ...(scope === '' ? {} : { scope }),
    ...(grants === '' ? {} : { grants }),
    auth: $as('#client-auth', HTMLSelectElement).value,
  };
  /** @type {(Client & { client_secret: string }) | undefined} */
  const created = await busy(dialog, () => api('POST', 'clients', body));
  if (created === undefined) return;
  dialog.close();
  await load(clients);
  showNotice(`Client ${quoted(created.name)} created.`);
  showSecret({
    title: 'New client secret',
    intro: `The secret of the new client ${quoted(created.name)} (client ID ${created.client_id}).`,
    label: 'Client secret',
    value: created.client_secret,
    returnTo: () =>
      $$('#panel-clients button[data-action="rotate"]').find(
        (b) => b.dataset.id === created.client_id,
      ),
  });
}

/**
 * @param {Client} client
 * @param {HTMLElement} button
 */
async function rotateSecret(client, button) {
  /** @type {{ client_id: string, client_secret: string } | undefined} */
  const result = await confirmAction({
    title: 'Rotate client secret',
    message: `Replace the secret of ${quoted(client.name)} (${client.client_id})? The current secret stops working at once: every application using it needs the new one.`,
    confirmLabel: 'Rotate secret',
    action: () => api('POST', `clients/${id(client)}/rotate-secret`),
  });
  if (result === undefined) return;
  await load(clients);
  showNotice(`The secret of ${quoted(client.name)} was rotated.`);
  showSecret({
    title: 'New client secret',
    intro: `The new secret of client ${quoted(client.name)} (${result.client_id}).`,
    label: 'Client secret',
    value: result.client_secret,
    returnTo: () => button,
  });
}

/**
 * @param {Client} client
 * @param {boolean} deprecated
 * @param {HTMLElement} button
 */
async function setDeprecated(client, deprecated, button) {
  const result = await confirmAction({
    title: deprecated ? 'Deprecate client' : 'Undeprecate client',
    message: deprecated
      ? `Deprecate ${quoted(client.name)}? It keeps working, but its token responses carry a Deprecation header, so its users know to move on.`
      : `Stop marking ${quoted(client.name)} as deprecated?`,
    confirmLabel: deprecated ? 'Deprecate' : 'Undeprecate',
    action: () => api('PATCH', `clients/${id(client)}`, { deprecated }),
    returnTo: () => button,
  });
  if (result === undefined) return;
  showNotice(`${quoted(client.name)} is ${deprecated ? 'deprecated' : 'no longer deprecated'}.`);
  await load(clients);
}

/**
 * @param {Client} client
 * @param {HTMLElement} button
 */
async function revokeTokens(client, button) {
  const result = await confirmAction({
    title: 'Revoke all tokens of the client',
    message: `Revoke every token issued to ${quoted(client.name)} until now? Resource servers refuse them within seconds. The client can still get new tokens with its secret: rotate the secret too if it leaked.`,
    confirmLabel: 'Revoke all tokens',
    action: () => api('POST', `clients/${id(client)}/revoke-tokens`),
    returnTo: () => button,
  });
  if (result === undefined) return;
  showNotice(`Every token of ${quoted(client.name)} is revoked.`);
}

/** @param {Client} client */
async function deleteClient(client) {
  const result = await confirmAction({
    title: 'Delete client',
    message: `Delete ${quoted(client.name)} (${client.client_id})? Its tokens are revoked and its secret stops working. This cannot be undone.`,
    confirmLabel: 'Delete',
    action: () => api('DELETE', `clients/${id(client)}`),
  });
  if (result === undefined) return;
  showNotice(`${quoted(client.name)} is deleted.`);
  await load(clients);
}
