// @ts-check
import { api } from './api.js';
import { busy, confirmAction, fieldProblem, formDialog, showSecret } from './dialogs.js';
import { $, input } from './dom.js';
import { futureIso, list, toLocalInput, words } from './format.js';
import { load } from './list.js';
import { showNotice } from './messages.js';
import { actionsColumn, badgeColumn, byNewest, textColumn, timeColumn } from './table.js';

/**
 * Login tokens (the enectiva profile's long-lived customer tokens): issue
 * (shown once), revoke.
 *
 * @typedef {{ id: number, customer_uuid: string, subject_uuid: string, scope: string, status: string, created_at: string | null, expires_at: string | null, last_used_at: string | null }} LoginToken
 */

/** @param {LoginToken} t */
const label = (t) => `login token ${t.id} of customer ${t.customer_uuid}`;

/** @type {import('./list.js').Section<LoginToken>} */
export const loginTokens = {
  name: 'login-tokens',
  path: () => 'login-tokens',
  noun: ['login token', 'login tokens'],
  sort: byNewest((t) => t.created_at),
  key: (t) => String(t.id),
  columns: [
    textColumn('ID', (t) => t.id, 'mono'),
    textColumn('Customer', (t) => t.customer_uuid, 'mono uuid'),
    textColumn('Subject', (t) => t.subject_uuid, 'mono uuid'),
    textColumn('Scope', (t) => list(t.scope)),
    badgeColumn('Status', (t) => t.status),
    timeColumn('Created', (t) => t.created_at),
    timeColumn('Expires', (t) => t.expires_at, { none: 'never' }),
    timeColumn('Last used', (t) => t.last_used_at, { none: 'never' }),
    actionsColumn(
      (t) =>
        t.status === 'active'
          ? [{ label: 'Revoke', name: `Revoke ${label(t)}`, action: 'revoke', danger: true }]
          : [],
      (t) => String(t.id),
    ),
  ],
  actions: { revoke: revokeLoginToken },
  wire() {
    const open = formDialog('#login-token-add-dialog', submitAddLoginToken, () => {
      input('#login-token-expires').min = toLocalInput(new Date());
    });
    $('#login-token-add').addEventListener('click', open);
  },
};

/** @param {HTMLDialogElement} dialog */
async function submitAddLoginToken(dialog) {
  const customer = input('#login-token-customer');
  const customerUuid = customer.value.trim();
  if (customerUuid === '') return fieldProblem(dialog, customer, 'Enter the customer’s UUID.');
  const subjectUuid = input('#login-token-subject').value.trim();
  const scope = words(input('#login-token-scope').value);
  const expires = futureIso(input('#login-token-expires'));
  if (expires.error) return fieldProblem(dialog, input('#login-token-expires'), expires.error);
  const body = {
    customer_uuid: customerUuid,
    ...(subjectUuid === '' ? {} : { subject_uuid: subjectUuid }),
    ...(scope === '' ? {} : { scope }),
    ...(expires.iso === undefined ? {} : { expires: expires.iso }),
  };
  /** @type {(LoginToken & { login_token: string }) | undefined} */
  const created = await busy(dialog, () => api('POST', 'login-tokens', body));
  if (created === undefined) return;
  dialog.close();
  await load(loginTokens);
  showNotice(`Login token ${created.id} issued for customer ${created.customer_uuid}.`);
  showSecret({
    title: 'New login token',
    intro: `Login token ${created.id} of customer ${created.customer_uuid}: it is exchanged for short access tokens at POST /access_tokens.`,
    label: 'Login token',
    value: created.login_token,
  });
}

/** @param {LoginToken} token */
async function revokeLoginToken(token) {
  const result = await confirmAction({
    title: 'Revoke login token',
    message: `Revoke ${label(token)}? It cannot be exchanged any more, and its live access tokens are revoked. This cannot be undone.`,
    confirmLabel: 'Revoke',
    action: () => api('POST', `login-tokens/${encodeURIComponent(String(token.id))}/revoke`),
  });
  if (result === undefined) return;
  showNotice(`Login token ${token.id} of customer ${token.customer_uuid} is revoked.`);
  await load(loginTokens);
}
