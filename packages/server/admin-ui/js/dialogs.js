// @ts-check
import { ApiError } from './api.js';
import { $, $$, $as, $maybe, dialog as dialogById, form as formById } from './dom.js';
import { focusHeading } from './list.js';
import { currentSection, getSession } from './store.js';

/**
 * Modal dialogs: focus handling, errors shown inside, the confirmation for
 * every destructive action, and the show-once dialog for a new secret.
 */

/**
 * Opens a modal dialog, remembering what had focus so that closing it (with
 * a button or Escape) puts focus back there, or on `returnTo()` if given.
 *
 * @param {HTMLDialogElement} dialog
 * @param {{ returnTo?: () => HTMLElement | null | undefined }} [options]
 */
export function openDialog(dialog, { returnTo } = {}) {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  for (const error of $$('[data-dialog-error]', dialog)) error.textContent = '';
  dialog.addEventListener('close', () => focusSomewhere(returnTo?.() ?? opener), { once: true });
  dialog.showModal();
  const first =
    $maybe('[autofocus]', dialog) ??
    $maybe('input:not([type="hidden"]), select, textarea, button:not([disabled])', dialog);
  first?.focus();
}

/**
 * Focuses `target`, or the same action re-drawn in a refreshed table, or the current section.
 *
 * @param {HTMLElement | null | undefined} target
 */
export function focusSomewhere(target) {
  if (getSession() === null) {
    $('#admin-token').focus();
    return;
  }
  if (target?.isConnected && !target.closest('[hidden]')) {
    target.focus();
    return;
  }
  const { action, id } = target?.dataset ?? {};
  if (action !== undefined && id !== undefined) {
    const same = $$(`#panel-${currentSection()} button[data-action="${action}"]`).find(
      (b) => b.dataset.id === id,
    );
    if (same) {
      same.focus();
      return;
    }
  }
  focusHeading();
}

/**
 * @param {HTMLDialogElement} dialog
 * @param {string} text
 */
export function dialogError(dialog, text) {
  $('[data-dialog-error]', dialog).textContent = text;
}

/**
 * While `work` runs, the dialog's buttons are disabled; an ApiError shows in
 * the dialog and gives `undefined`.
 *
 * @template T
 * @param {HTMLDialogElement} dialog
 * @param {() => Promise<T>} work
 * @returns {Promise<T | undefined>}
 */
export async function busy(dialog, work) {
  const focused = document.activeElement;
  const buttons = $$('button', dialog).filter((b) => b instanceof HTMLButtonElement);
  for (const b of buttons) b.disabled = true;
  dialog.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 401) dialog.close();
    else dialogError(dialog, err.description);
    return undefined;
  } finally {
    for (const b of buttons) b.disabled = false;
    dialog.removeAttribute('aria-busy');
    // Disabling the button that was pressed took the focus away; give it back.
    if (dialog.open && focused instanceof HTMLElement && dialog.contains(focused)) focused.focus();
  }
}

/**
 * The confirmation dialog: runs `action` on confirm, then closes; resolves
 * to its result, or `undefined` when cancelled. Cancel has the focus, so
 * Enter does not confirm by accident.
 *
 * @template T
 * @param {{ title: string, message: string, confirmLabel: string, action: () => Promise<T>, returnTo?: () => HTMLElement | null | undefined }} options
 * @returns {Promise<T | undefined>}
 */
export function confirmAction({ title, message, confirmLabel, action, returnTo }) {
  const dialog = dialogById('#confirm-dialog');
  $('#confirm-title').textContent = title;
  $('#confirm-message').textContent = message;
  $('#confirm-ok').textContent = confirmLabel;
  const form = formById('#confirm-form');
  return new Promise((resolve) => {
    /** @param {SubmitEvent} event */
    const onSubmit = async (event) => {
      event.preventDefault();
      const result = await busy(dialog, action);
      if (result !== undefined) {
        finish(result);
        dialog.close('confirm');
      }
    };
    /** @param {T | undefined} result */
    const finish = (result) => {
      form.removeEventListener('submit', onSubmit);
      resolve(result);
    };
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('close', () => finish(undefined), { once: true });
    openDialog(dialog, returnTo === undefined ? {} : { returnTo });
  });
}

/**
 * A form in a dialog: opens it reset, and runs `submit` on submit (which
 * closes the dialog itself when done). Returns the function that opens it.
 *
 * @param {string} dialogSelector
 * @param {(dialog: HTMLDialogElement, form: HTMLFormElement) => Promise<void>} submit
 * @param {(form: HTMLFormElement) => void} [prepare] after the reset, before showing
 * @returns {() => void}
 */
export function formDialog(dialogSelector, submit, prepare) {
  const dialog = dialogById(dialogSelector);
  const form = $as('form', HTMLFormElement, dialog);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit(dialog, form);
  });
  return () => {
    form.reset();
    for (const field of $$('[aria-invalid]', form)) field.removeAttribute('aria-invalid');
    prepare?.(form);
    openDialog(dialog);
  };
}

/**
 * Marks a field as wrong, says why in the dialog and focuses it.
 *
 * @param {HTMLDialogElement} dialog
 * @param {HTMLElement} field
 * @param {string} text
 */
export function fieldProblem(dialog, field, text) {
  field.setAttribute('aria-invalid', 'true');
  dialogError(dialog, text);
  field.focus();
}

/**
 * The show-once dialog for a new token, key or secret. Closing it removes
 * the value from the page.
 *
 * @param {{ title: string, intro: string, label: string, value: string, returnTo?: () => HTMLElement | null | undefined }} options
 */
export function showSecret({ title, intro, label, value, returnTo }) {
  const dialog = dialogById('#secret-dialog');
  $('#secret-title').textContent = title;
  $('#secret-intro').textContent = intro;
  $('#secret-label').textContent = label;
  $('#secret-copied').textContent = '';
  const textarea = $as('#new-token', HTMLTextAreaElement);
  textarea.value = value;
  dialog.addEventListener(
    'close',
    () => {
      // Gone from the page once the dialog is closed.
      textarea.value = '';
      $('#secret-copied').textContent = '';
    },
    { once: true },
  );
  openDialog(dialog, returnTo === undefined ? {} : { returnTo });
  textarea.focus();
  textarea.select();
  textarea.scrollTop = 0;
}

/** Copy in the show-once dialog: the clipboard, or else the text selected for Ctrl+C. */
export async function copySecret() {
  const textarea = $as('#new-token', HTMLTextAreaElement);
  const status = $('#secret-copied');
  try {
    await navigator.clipboard.writeText(textarea.value);
    status.textContent = 'Copied to the clipboard.';
    return;
  } catch {
    // No clipboard API (not a secure context) or not allowed: select it instead.
  }
  textarea.focus();
  textarea.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  status.textContent = copied
    ? 'Copied to the clipboard.'
    : 'The text is selected: press Ctrl+C (⌘C on a Mac) to copy it.';
}

/** Every dialog's Cancel/close buttons, and the show-once dialog's Copy. */
export function wireDialogs() {
  for (const button of $$('dialog [data-close]')) {
    button.addEventListener('click', () => button.closest('dialog')?.close('cancel'));
  }
  $('#secret-copy').addEventListener('click', copySecret);
}
