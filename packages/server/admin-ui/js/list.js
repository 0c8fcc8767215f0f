// @ts-check
import { ApiError, api } from './api.js';
import { $, $$, $as, $maybe } from './dom.js';
import { clearMessages, showError } from './messages.js';
import { currentSection, rowsOf, setRows } from './store.js';
import { messageRow, renderHead, renderRow } from './table.js';

/**
 * A section of the page: its list (loaded from the admin API, filtered and
 * drawn from its column spec) and the actions its rows' buttons start.
 *
 * @template R
 * @typedef {object} Section
 * @property {string} name the key in ids (`#<name>-table`, `#panel-<name>`) and in the URL hash
 * @property {() => string} path the admin API path its list is read from
 * @property {() => Promise<R[]>} [fetchRows] reads the rows itself, for a section that needs
 *   more than one call or whose answer is not a plain list (default: `GET path()`)
 * @property {[string, string]} noun one, many
 * @property {(a: R, b: R) => number} sort
 * @property {readonly import('./table.js').Column<R>[]} columns
 * @property {(row: R) => string} key the row's id, in its buttons' `data-id`
 * @property {(row: R) => unknown[]} [search] text the filter matches besides the cells' (ids)
 * @property {Record<string, (row: R, button: HTMLElement) => unknown>} [actions] by `data-action`
 * @property {() => void} [wire] hooks up the section's own buttons and forms, once
 */

/** @typedef {Section<any>} AnySection */

/**
 * The section's rows as last loaded.
 *
 * @template R
 * @param {Section<R>} section
 * @returns {R[] | undefined}
 */
export const rows = (section) => /** @type {R[] | undefined} */ (rowsOf(section.name));

/**
 * Draws the section's table from its rows as last loaded, filtered by its
 * Filter box (and Status select, if it has one).
 *
 * @template R
 * @param {Section<R>} section
 */
export function render(section) {
  const { name, columns } = section;
  const table = $as(`#${name}-table`, HTMLTableElement);
  if (table.tHead === null || table.tHead.rows.length === 0) renderHead(table, columns);
  const tbody = table.tBodies[0] ?? table.createTBody();
  const count = $(`#${name}-count`);
  const all = rows(section);
  // A keyboard user acting on a row keeps their place when the table is re-drawn.
  const active = document.activeElement;
  const focused =
    active instanceof HTMLElement && tbody.contains(active) ? { ...active.dataset } : null;
  if (all === undefined) {
    tbody.replaceChildren(messageRow(columns.length, 'Loading…'));
    count.textContent = '';
    return;
  }
  const filter = $maybe(`[data-filter="${name}"]`);
  const query = filter instanceof HTMLInputElement ? filter.value.trim().toLowerCase() : '';
  const statusSelect = $maybe(`[data-status-filter="${name}"]`);
  const status = statusSelect instanceof HTMLSelectElement ? statusSelect.value : '';
  const drawn = [];
  for (const row of all) {
    const rowStatus = /** @type {{ status?: unknown }} */ (row).status;
    if (status !== '' && rowStatus !== status) continue;
    const tr = renderRow(columns, row);
    const text = [tr.textContent ?? '', ...(section.search?.(row) ?? [])]
      .map((v) => String(v ?? '').toLowerCase())
      .join('\n');
    if (query === '' || text.includes(query)) drawn.push(tr);
  }
  const [one, many] = section.noun;
  const shown = drawn.length;
  if (shown === 0) {
    drawn.push(
      messageRow(
        columns.length,
        all.length === 0 ? `No ${many} yet.` : `No ${many} match the filter.`,
      ),
    );
  }
  tbody.replaceChildren(...drawn);
  count.textContent =
    shown === all.length
      ? `${all.length} ${all.length === 1 ? one : many}`
      : `${shown} of ${all.length} ${many} shown`;
  if (focused !== null) {
    const buttons = $$('button[data-action]', tbody);
    const same =
      buttons.find((b) => b.dataset.id === focused.id && b.dataset.action === focused.action) ??
      buttons.find((b) => b.dataset.id === focused.id);
    if (same) same.focus();
    else focusHeading();
  }
}

/**
 * Reloads the section's rows from the admin API and draws them; an error
 * shows in the page's error message (a 401 has signed out already).
 *
 * @template R
 * @param {Section<R>} section
 */
export async function load(section) {
  const table = $as(`#${section.name}-table`, HTMLTableElement);
  table.setAttribute('aria-busy', 'true');
  try {
    const body = section.fetchRows ? await section.fetchRows() : await api('GET', section.path());
    setRows(section.name, Array.isArray(body) ? [...body].sort(section.sort) : []);
    render(section);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status !== 401) showError(err.description);
    if (rows(section) === undefined) {
      setRows(section.name, []);
      render(section);
    }
  } finally {
    table.removeAttribute('aria-busy');
  }
}

/** Focus on the current section's heading: a safe place when the focused control went away. */
export function focusHeading() {
  const panel = $maybe(`#panel-${currentSection()}`);
  if (panel && !panel.hidden) {
    const heading = $('h1', panel);
    heading.tabIndex = -1;
    heading.focus();
  }
}

/**
 * Hooks up the section's Filter, Status, Refresh and row buttons.
 *
 * @template R
 * @param {Section<R>} section
 */
export function wireList(section) {
  const { name } = section;
  $maybe(`[data-filter="${name}"]`)?.addEventListener('input', () => render(section));
  $maybe(`[data-status-filter="${name}"]`)?.addEventListener('change', () => render(section));
  $maybe(`[data-refresh="${name}"]`)?.addEventListener('click', () => {
    clearMessages();
    load(section);
  });
  $(`#panel-${name}`).addEventListener('click', (event) => {
    const target = event.target;
    const button = target instanceof Element ? target.closest('button[data-action]') : null;
    if (!(button instanceof HTMLElement)) return;
    const row = (rows(section) ?? []).find((r) => section.key(r) === button.dataset.id);
    const act = section.actions?.[button.dataset.action ?? ''];
    if (row === undefined || act === undefined) return;
    clearMessages();
    act(row, button);
  });
  section.wire?.();
}
