// @ts-check
import { $ } from './dom.js';

/**
 * A status message, announced politely by screen readers; '' hides it.
 *
 * @param {string} text
 */
export function showNotice(text) {
  const notice = $('#notice');
  notice.textContent = text;
  notice.hidden = text === '';
}

/**
 * An error message, announced at once; '' hides it.
 *
 * @param {string} text
 */
export function showError(text) {
  const error = $('#error');
  error.textContent = text;
  error.hidden = text === '';
}

export function clearMessages() {
  showNotice('');
  showError('');
}
