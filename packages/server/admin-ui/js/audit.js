// @ts-check
import { $, $as, el, input } from './dom.js';
import { describeDetail, secondsFormat, toDate } from './format.js';
import { load } from './list.js';
import { clearMessages, showError } from './messages.js';
import { badgeColumn, byNewest, customColumn, textColumn, timeColumn } from './table.js';

/**
 * The audit log, newest first, searched on the server by actor, action,
 * target, outcome and time range (`GET /admin/api/audit?actor=…`). A
 * refused attempt's detail says why (`error`, and `field` for a bad value).
 *
 * @typedef {{ id: number, at: string, actor: string, action: string, target: string, outcome: 'ok' | 'refused' | 'failed', address: string, detail: Record<string, unknown> }} AuditEntry
 */

/**
 * `pat:<id> (<name>)` as the name with a short id (all of it on hover); anything else as it is.
 *
 * @param {AuditEntry} e
 */
function actorCell(e) {
  const td = el('td');
  const match = /^pat:(\S+) \((.*)\)$/.exec(e.actor);
  if (match === null) {
    td.textContent = e.actor;
    return td;
  }
  const [, id = '', name = ''] = match;
  td.title = e.actor;
  td.append(el('span', name), el('span', ` pat:${id.slice(0, 8)}…`, 'id-hint'));
  return td;
}

/**
 * A `datetime-local` field as ISO 8601 (the browser's time zone), or undefined when empty.
 *
 * @param {string} selector
 */
function isoOf(selector) {
  const value = input(selector).value;
  return value === '' ? undefined : (toDate(value)?.toISOString() ?? undefined);
}

/** The search form as the audit route's query string. */
export function auditQuery() {
  const params = new URLSearchParams({ limit: '100' });
  for (const name of ['actor', 'action', 'target']) {
    const value = input(`#audit-${name}`).value.trim();
    if (value !== '') params.set(name, value);
  }
  const outcome = $as('#audit-outcome', HTMLSelectElement).value;
  if (outcome !== '') params.set('outcome', outcome);
  const since = isoOf('#audit-since');
  const until = isoOf('#audit-until');
  if (since !== undefined) params.set('since', since);
  if (until !== undefined) params.set('until', until);
  return `audit?${params}`;
}

/** @type {import('./list.js').Section<AuditEntry>} */
export const audit = {
  name: 'audit',
  path: auditQuery,
  noun: ['entry', 'entries'],
  sort: (a, b) => byNewest((/** @type {AuditEntry} */ e) => e.at)(a, b) || b.id - a.id,
  key: (e) => String(e.id),
  search: (e) => [e.at],
  columns: [
    timeColumn('Time', (e) => e.at, { format: secondsFormat }),
    customColumn('Actor', actorCell),
    textColumn('Action', (e) => e.action, 'mono'),
    textColumn('Target', (e) => e.target, 'mono wrap-anywhere'),
    badgeColumn('Outcome', (e) => e.outcome),
    textColumn('Address', (e) => e.address, 'mono'),
    textColumn('Detail', (e) => describeDetail(e.detail), 'detail'),
  ],
  wire() {
    const form = $as('#audit-search', HTMLFormElement);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearMessages();
      const since = isoOf('#audit-since');
      const until = isoOf('#audit-until');
      if (since !== undefined && until !== undefined && since > until) {
        showError('The start of the time range is after its end.');
        $('#audit-since').focus();
        return;
      }
      load(audit);
    });
    form.addEventListener('reset', () => {
      // After the fields are cleared.
      setTimeout(() => load(audit));
    });
  },
};
