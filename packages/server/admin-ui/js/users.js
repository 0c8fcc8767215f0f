// @ts-check
import { api } from './api.js';
import {
  busy,
  confirmAction,
  dialogError,
  fieldProblem,
  formDialog,
  openDialog,
} from './dialogs.js';
import { $, $as, dialog as dialogById, input } from './dom.js';
import { quoted } from './format.js';
import { load, rows } from './list.js';
import { showNotice } from './messages.js';
import { actionsColumn, badgeColumn, textColumn, timeColumn } from './table.js';

/**
 * Users (who sign in with a password): create, set a password, disable, delete.
 *
 * @typedef {{ id: string, email: string, status: string, created_at: string | null, disabled_at: string | null }} User
 */

/** @param {User} u */
const id = (u) => encodeURIComponent(u.id);

/** @type {import('./list.js').Section<User>} */
export const users = {
  name: 'users',
  path: () => 'users',
  noun: ['user', 'users'],
  sort: (a, b) => a.email.localeCompare(b.email),
  key: (u) => u.id,
  search: (u) => [u.id],
  columns: [
    textColumn('Email', (u) => u.email, 'name wrap-anywhere'),
    badgeColumn('Status', (u) => u.status),
    timeColumn('Created', (u) => u.created_at),
    timeColumn('Disabled', (u) => u.disabled_at),
    actionsColumn(
      (u) => [
        { label: 'Set password', name: `Set password of ${u.email}`, action: 'password' },
        ...(u.status === 'active'
          ? [{ label: 'Disable', name: `Disable ${u.email}`, action: 'disable', danger: true }]
          : []),
        { label: 'Delete', name: `Delete ${u.email}`, action: 'delete', danger: true },
      ],
      (u) => u.id,
    ),
  ],
  actions: {
    password: openSetPassword,
    disable: disableUser,
    delete: deleteUser,
  },
  wire() {
    $('#user-add').addEventListener('click', formDialog('#user-add-dialog', submitAddUser));
    $as('#user-password-form', HTMLFormElement).addEventListener('submit', submitSetPassword);
  },
};

/** @param {HTMLDialogElement} dialog */
async function submitAddUser(dialog) {
  const emailInput = input('#user-email');
  const email = emailInput.value.trim();
  if (email === '') return fieldProblem(dialog, emailInput, 'Enter an email address.');
  const passwordInput = input('#user-password-new');
  if (passwordInput.value === '') return fieldProblem(dialog, passwordInput, 'Enter a password.');
  /** @type {User | undefined} */
  const created = await busy(dialog, () =>
    api('POST', 'users', { email, password: passwordInput.value }),
  );
  if (created === undefined) return;
  passwordInput.value = '';
  dialog.close();
  showNotice(`User ${created.email} created.`);
  await load(users);
}

/** @param {User} user */
function openSetPassword(user) {
  const dialog = dialogById('#user-password-dialog');
  const form = $as('#user-password-form', HTMLFormElement);
  form.reset();
  // Which user the dialog is for: on its form, not in a variable.
  form.dataset.id = user.id;
  $('[data-user-email]', dialog).textContent = user.email;
  openDialog(dialog);
}

/** @param {SubmitEvent} event */
async function submitSetPassword(event) {
  event.preventDefault();
  const dialog = dialogById('#user-password-dialog');
  const userId = $as('#user-password-form', HTMLFormElement).dataset.id;
  const user = rows(users)?.find((u) => u.id === userId);
  if (user === undefined) return;
  const passwordInput = input('#user-password-set');
  if (passwordInput.value === '') {
    dialogError(dialog, 'Enter a password.');
    passwordInput.focus();
    return;
  }
  const done = await busy(dialog, () =>
    api('POST', `users/${id(user)}/set-password`, { password: passwordInput.value }),
  );
  if (done === undefined) return;
  passwordInput.value = '';
  dialog.close();
  showNotice(`The password of ${user.email} is set.`);
}

/** @param {User} user */
async function disableUser(user) {
  const result = await confirmAction({
    title: 'Disable user',
    message: `Disable ${user.email}? They can no longer sign in, and their refresh tokens are revoked.`,
    confirmLabel: 'Disable',
    action: () => api('POST', `users/${id(user)}/disable`),
  });
  if (result === undefined) return;
  showNotice(`${user.email} is disabled.`);
  await load(users);
}

/** @param {User} user */
async function deleteUser(user) {
  const result = await confirmAction({
    title: 'Delete user',
    message: `Delete ${quoted(user.email)}? Their refresh tokens are revoked first. This cannot be undone.`,
    confirmLabel: 'Delete',
    action: () => api('DELETE', `users/${id(user)}`),
  });
  if (result === undefined) return;
  showNotice(`${user.email} is deleted.`);
  await load(users);
}
