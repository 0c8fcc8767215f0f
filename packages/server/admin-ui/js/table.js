// @ts-check
import { el } from './dom.js';
import { dateFormat, toDate } from './format.js';

/**
 * A section declares its columns once: each column's header label and how
 * it draws a row's cell. The same spec draws the header row and every row,
 * so the two cannot drift apart.
 */

/**
 * @template R
 * @typedef {object} Column
 * @property {string} label the header text
 * @property {boolean} [hideLabel] the header is for screen readers only (a column of buttons)
 * @property {(row: R) => HTMLTableCellElement} cell
 */

/**
 * Draws the header row of `table` from the column spec.
 *
 * @template R
 * @param {HTMLTableElement} table
 * @param {readonly Column<R>[]} columns
 */
export function renderHead(table, columns) {
  const tr = el('tr');
  for (const column of columns) {
    const th = el('th');
    th.scope = 'col';
    if (column.hideLabel) th.append(el('span', column.label, 'visually-hidden'));
    else th.textContent = column.label;
    tr.append(th);
  }
  table.tHead?.remove();
  table.createTHead().append(tr);
}

/**
 * One table row from the column spec.
 *
 * @template R
 * @param {readonly Column<R>[]} columns
 * @param {R} row
 * @returns {HTMLTableRowElement}
 */
export function renderRow(columns, row) {
  const tr = el('tr');
  tr.append(...columns.map((column) => column.cell(row)));
  return tr;
}

/**
 * A row with one message across every column ("Loading…", "No … yet.").
 *
 * @param {number} span
 * @param {string} text
 */
export function messageRow(span, text) {
  const tr = el('tr');
  const td = el('td', text, 'empty');
  td.colSpan = span;
  tr.append(td);
  return tr;
}

/* ------------------------------------------------------------ columns */

/**
 * A column of text.
 *
 * @template R
 * @param {string} label
 * @param {(row: R) => unknown} value
 * @param {string} [className]
 * @returns {Column<R>}
 */
export const textColumn = (label, value, className) => ({
  label,
  cell: (row) => {
    const v = value(row);
    return el('td', v === null || v === undefined || v === '' ? '—' : String(v), className);
  },
});

/**
 * A column of times (`<time>` with the full ISO time as a tooltip).
 *
 * @template R
 * @param {string} label
 * @param {(row: R) => unknown} value
 * @param {{ none?: string, format?: Intl.DateTimeFormat }} [options] `none`: the text for no time
 * @returns {Column<R>}
 */
export const timeColumn = (label, value, { none = '—', format = dateFormat } = {}) => ({
  label,
  cell: (row) => {
    const td = el('td', undefined, 'time');
    const date = toDate(value(row));
    if (date === null) {
      td.textContent = none;
      return td;
    }
    const time = el('time', format.format(date));
    time.dateTime = date.toISOString();
    time.title = date.toISOString();
    td.append(time);
    return td;
  },
});

/**
 * A column of status badges (text plus colour, never colour alone).
 *
 * @template R
 * @param {string} label
 * @param {(row: R) => string} value
 * @returns {Column<R>}
 */
export const badgeColumn = (label, value) => ({
  label,
  cell: (row) => {
    const td = el('td');
    const text = value(row);
    td.append(el('span', text, `badge badge-${text}`));
    return td;
  },
});

/**
 * A column of any cell the section draws itself.
 *
 * @template R
 * @param {string} label
 * @param {(row: R) => HTMLTableCellElement} cell
 * @returns {Column<R>}
 */
export const customColumn = (label, cell) => ({ label, cell });

/**
 * @typedef {object} RowAction
 * @property {string} label the button text
 * @property {string} name the accessible name, naming the row ("Revoke meter reader")
 * @property {string} action the section's action key
 * @property {boolean} [danger]
 */

/**
 * The row's buttons; `key` identifies the row in `data-id`.
 *
 * @template R
 * @param {(row: R) => RowAction[]} actions
 * @param {(row: R) => string} key
 * @returns {Column<R>}
 */
export const actionsColumn = (actions, key) => ({
  label: 'Actions',
  hideLabel: true,
  cell: (row) => {
    const td = el('td', undefined, 'row-actions');
    const wrap = el('div', undefined, 'row-actions-wrap');
    for (const a of actions(row)) {
      const button = el(
        'button',
        a.label,
        `button button-small${a.danger ? ' button-link-danger' : ''}`,
      );
      button.type = 'button';
      button.setAttribute('aria-label', a.name);
      button.dataset.action = a.action;
      button.dataset.id = key(row);
      wrap.append(button);
    }
    td.append(wrap);
    return td;
  },
});

/**
 * Sorts newest first by a time field.
 *
 * @template R
 * @param {(row: R) => unknown} value
 * @returns {(a: R, b: R) => number}
 */
export const byNewest = (value) => (a, b) =>
  (toDate(value(b))?.getTime() ?? 0) - (toDate(value(a))?.getTime() ?? 0);
