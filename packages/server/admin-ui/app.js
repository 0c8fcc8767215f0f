// gridkey admin page: plain JavaScript, no build step, no dependencies.
//
// The admin token (a PAT with role admin, authorised for the web page) is kept
// in the browser's local storage under TOKEN_KEY, as the kostal seed describes,
// and sent as `Authorization: Bearer` with `X-Gridkey-Interface: web` on every
// call to the admin API. Sign out removes it.

const TOKEN_KEY = 'gridkey.adminToken';
/** `/admin/api/` when the page is served at `/admin/`; follows a reverse proxy's prefix. */
const API_BASE = new URL('api/', new URL('.', import.meta.url)).pathname;

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

/* ------------------------------------------------------------------ token */

let memoryToken = null;

/** Local storage, or (if the browser refuses it) memory for this page only. */
const tokenStore = {
  get() {
    try {
      return localStorage.getItem(TOKEN_KEY) ?? memoryToken;
    } catch {
      return memoryToken;
    }
  },
  set(token) {
    memoryToken = token;
    try {
      localStorage.setItem(TOKEN_KEY, token);
      memoryToken = null;
    } catch {
      showNotice('This browser does not allow local storage: you will be signed out on reload.');
    }
  },
  clear() {
    memoryToken = null;
    try {
      localStorage.removeItem(TOKEN_KEY);
    } catch {
      // nothing stored
    }
  },
};

/* -------------------------------------------------------------------- API */

class ApiError extends Error {
  constructor(status, error, description) {
    super(description);
    this.status = status;
    this.error = error;
    this.description = description;
  }
}

/** Calls the admin API; resolves to the JSON body or rejects with an ApiError. */
async function api(method, path, body) {
  const token = tokenStore.get() ?? '';
  let res;
  try {
    res = await fetch(API_BASE + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'x-gridkey-interface': 'web',
        'content-type': 'application/json',
        accept: 'application/json',
      },
      // A POST with a JSON content type needs a JSON body, even an empty one.
      body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(
      0,
      'network_error',
      'The gridkey server could not be reached. Check that it is running and try again.',
    );
  }
  const text = await res.text();
  let json;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const description =
      json?.error_description ??
      json?.message ??
      `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`;
    const err = new ApiError(res.status, json?.error ?? 'http_error', description);
    // The token stopped working mid-session (revoked, expired, de-authorised).
    if (res.status === 401 && path !== 'session') {
      signOut({ error: `You have been signed out: ${description}` });
    }
    throw err;
  }
  return json ?? {};
}

/* --------------------------------------------------------------- messages */

function showNotice(text) {
  const notice = $('#notice');
  notice.textContent = text;
  notice.hidden = text === '';
}

function showError(text) {
  const error = $('#error');
  error.textContent = text;
  error.hidden = text === '';
}

function clearMessages() {
  showNotice('');
  showError('');
}

/* ----------------------------------------------------------------- format */

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const secondsFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

/** ISO string or epoch seconds/milliseconds to a Date, or null. */
function toDate(value) {
  if (value === null || value === undefined || value === '') return null;
  const date =
    typeof value === 'number' ? new Date(value < 1e12 ? value * 1000 : value) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const formatDate = (value, none = '—', format = dateFormat) => {
  const date = toDate(value);
  return date === null ? none : format.format(date);
};

const pad = (n) => String(n).padStart(2, '0');

/** A Date as a `datetime-local` value, in local time. */
const toLocalInput = (date) =>
  `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;

const list = (value) => (Array.isArray(value) ? value.join(' ') : String(value ?? ''));

const quoted = (name) => `“${name}”`;

function describeDetail(detail) {
  if (detail === null || detail === undefined) return '';
  if (typeof detail !== 'object') return String(detail);
  return Object.entries(detail)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

function interfacesOf(pat) {
  const parts = [];
  if (pat.api) parts.push('JSON API');
  if (pat.web) parts.push('web page');
  return parts.length === 0 ? '—' : parts.join(', ');
}

/* ----------------------------------------------------------------- tables */

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function timeCell(value, none, format = dateFormat) {
  const td = document.createElement('td');
  td.className = 'time';
  const date = toDate(value);
  if (date === null) {
    td.textContent = none ?? '—';
    return td;
  }
  const time = document.createElement('time');
  time.dateTime = date.toISOString();
  time.title = date.toISOString();
  time.textContent = format.format(date);
  td.append(time);
  return td;
}

/** `pat:<id> (<name>)` as the name, with a short id; anything else as it is. */
function actorCell(actor) {
  const td = document.createElement('td');
  const match = /^pat:(\S+) \((.*)\)$/.exec(String(actor ?? ''));
  if (match === null) {
    td.textContent = String(actor ?? '—');
    return td;
  }
  const [, id, name] = match;
  const who = document.createElement('span');
  who.textContent = name;
  const which = document.createElement('span');
  which.className = 'id-hint';
  which.textContent = ` pat:${id.slice(0, 8)}…`;
  td.title = actor;
  td.append(who, which);
  return td;
}

function badgeCell(text, kind) {
  const td = document.createElement('td');
  const badge = document.createElement('span');
  badge.className = `badge badge-${kind ?? text}`;
  badge.textContent = text;
  td.append(badge);
  return td;
}

function actionButton(label, accessibleName, action, id, danger = false) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `button button-small${danger ? ' button-link-danger' : ''}`;
  button.textContent = label;
  button.setAttribute('aria-label', accessibleName);
  button.dataset.action = action;
  button.dataset.id = id;
  return button;
}

function actionsCell(buttons) {
  const td = document.createElement('td');
  td.className = 'row-actions';
  td.append(...buttons);
  return td;
}

const byNewest = (key) => (a, b) =>
  (toDate(b[key])?.getTime() ?? 0) - (toDate(a[key])?.getTime() ?? 0);

/**
 * Each section: its API path, how to sort, the text each row is filtered by,
 * and how a row is drawn.
 */
const sections = {
  pats: {
    path: 'pats',
    noun: ['access token', 'access tokens'],
    sort: byNewest('created_at'),
    text: (p) => [p.name, p.role, p.scope, p.status, interfacesOf(p), p.id],
    row: (p) => [
      cell(p.name, 'name'),
      cell(p.role),
      badgeCell(p.status),
      cell(interfacesOf(p)),
      timeCell(p.created_at),
      timeCell(p.expires_at, 'never'),
      timeCell(p.last_used_at, 'never'),
      actionsCell([
        ...(p.status === 'pending' || p.status === 'active'
          ? [actionButton('Authorise', `Authorise ${p.name}`, 'authorise', p.id)]
          : []),
        ...(p.status === 'pending' || p.status === 'active'
          ? [actionButton('Revoke', `Revoke ${p.name}`, 'revoke', p.id, true)]
          : []),
      ]),
    ],
  },
  clients: {
    path: 'clients',
    noun: ['client', 'clients'],
    sort: (a, b) => String(a.name).localeCompare(String(b.name)),
    text: (c) => [
      c.client_id,
      c.name,
      list(c.grant_types),
      list(c.scope),
      c.token_endpoint_auth_method,
      c.deprecated ? 'deprecated' : '',
    ],
    row: (c) => [
      cell(c.client_id, 'mono'),
      cell(c.name, 'name'),
      cell(list(c.grant_types)),
      cell(list(c.scope) || '—'),
      cell(c.token_endpoint_auth_method ?? '—'),
      c.deprecated ? badgeCell('deprecated') : cell('no'),
      actionsCell([
        actionButton('Rotate secret', `Rotate secret of ${c.name}`, 'rotate', c.client_id),
      ]),
    ],
  },
  'login-tokens': {
    path: 'login-tokens',
    noun: ['login token', 'login tokens'],
    sort: byNewest('created_at'),
    text: (t) => [t.id, t.customer_uuid, t.subject_uuid, list(t.scope), t.status],
    row: (t) => [
      cell(String(t.id), 'mono'),
      cell(t.customer_uuid, 'mono'),
      cell(t.subject_uuid ?? '—', 'mono'),
      cell(list(t.scope) || '—'),
      badgeCell(t.status),
      timeCell(t.created_at),
      timeCell(t.expires_at, 'never'),
      timeCell(t.last_used_at, 'never'),
      actionsCell(
        t.status === 'active'
          ? [
              actionButton(
                'Revoke',
                `Revoke login token ${t.id} of customer ${t.customer_uuid}`,
                'revoke',
                String(t.id),
                true,
              ),
            ]
          : [],
      ),
    ],
  },
  'api-keys': {
    path: 'api-keys',
    noun: ['API key', 'API keys'],
    sort: byNewest('created_at'),
    text: (k) => [k.id, k.name, k.key_hint, list(k.scope), k.status],
    row: (k) => [
      cell(k.name, 'name'),
      cell(k.key_hint, 'mono'),
      cell(list(k.scope) || '—'),
      badgeCell(k.status),
      timeCell(k.created_at),
      timeCell(k.expires_at, 'never'),
      timeCell(k.last_used_at, 'never'),
      actionsCell(
        k.status === 'active'
          ? [actionButton('Revoke', `Revoke API key ${k.name}`, 'revoke', k.id, true)]
          : [],
      ),
    ],
  },
  audit: {
    path: 'audit?limit=100',
    noun: ['entry', 'entries'],
    sort: (a, b) => byNewest('at')(a, b) || Number(b.id) - Number(a.id),
    text: (e) => [
      formatDate(e.at, '', secondsFormat),
      e.at,
      e.actor,
      e.action,
      e.target,
      e.address,
      describeDetail(e.detail),
    ],
    row: (e) => [
      timeCell(e.at, '—', secondsFormat),
      actorCell(e.actor),
      cell(e.action, 'mono'),
      cell(e.target, 'mono'),
      cell(e.address, 'mono'),
      cell(describeDetail(e.detail), 'detail'),
    ],
  },
};

/** Rows as last loaded, per section. */
const data = {};

function render(name) {
  const section = sections[name];
  const table = $(`#${name}-table`);
  const tbody = $('tbody', table);
  const rows = data[name];
  const columns = $$('thead th', table).length;
  // A keyboard user acting on a row keeps their place when the table is re-drawn.
  const active = document.activeElement;
  const focused = tbody.contains(active) ? { ...active.dataset } : null;
  tbody.replaceChildren();
  if (rows === undefined) {
    const tr = document.createElement('tr');
    tr.append(cell('Loading…', 'empty'));
    tr.firstChild.colSpan = columns;
    tbody.append(tr);
    $(`#${name}-count`).textContent = '';
    return;
  }
  const query = $(`[data-filter="${name}"]`).value.trim().toLowerCase();
  const status = $(`[data-status-filter="${name}"]`)?.value ?? '';
  const shown = rows.filter(
    (row) =>
      (status === '' || row.status === status) &&
      (query === '' ||
        section
          .text(row)
          .some((v) => v !== null && v !== undefined && String(v).toLowerCase().includes(query))),
  );
  for (const row of shown) {
    const tr = document.createElement('tr');
    tr.append(...section.row(row));
    tbody.append(tr);
  }
  if (shown.length === 0) {
    const tr = document.createElement('tr');
    const empty = cell(
      rows.length === 0 ? `No ${section.noun[1]} yet.` : `No ${section.noun[1]} match the filter.`,
      'empty',
    );
    empty.colSpan = columns;
    tr.append(empty);
    tbody.append(tr);
  }
  if (focused !== null) {
    const buttons = $$('button[data-action]', tbody);
    const same =
      buttons.find((b) => b.dataset.id === focused.id && b.dataset.action === focused.action) ??
      buttons.find((b) => b.dataset.id === focused.id);
    if (same) same.focus();
    else focusHeading();
  }
  const [one, many] = section.noun;
  $(`#${name}-count`).textContent =
    shown.length === rows.length
      ? `${rows.length} ${rows.length === 1 ? one : many}`
      : `${shown.length} of ${rows.length} ${many} shown`;
}

async function load(name) {
  const table = $(`#${name}-table`);
  table.setAttribute('aria-busy', 'true');
  try {
    const rows = await api('GET', sections[name].path);
    data[name] = Array.isArray(rows) ? [...rows].sort(sections[name].sort) : [];
    render(name);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status !== 401) showError(err.description);
    if (data[name] === undefined) {
      data[name] = [];
      render(name);
    }
  } finally {
    table.removeAttribute('aria-busy');
  }
}

/* ---------------------------------------------------------------- dialogs */

/**
 * Opens a modal dialog, remembering what had focus so that closing it (with
 * a button or Escape) puts focus back there, or on `returnTo()` if given.
 */
function openDialog(dialog, { returnTo } = {}) {
  const opener = document.activeElement;
  for (const error of $$('[data-dialog-error]', dialog)) error.textContent = '';
  dialog.addEventListener(
    'close',
    () => {
      const target = returnTo?.() ?? opener;
      focusSomewhere(target);
    },
    { once: true },
  );
  dialog.showModal();
  const first =
    $('[autofocus]', dialog) ??
    $('input:not([type="hidden"]), select, textarea, button:not([disabled])', dialog);
  first?.focus();
}

/** Focuses `target`, or the same action re-drawn in a refreshed table, or the current section. */
function focusSomewhere(target) {
  if (session === null) {
    $('#admin-token').focus();
    return;
  }
  if (target?.isConnected && !target.closest('[hidden]')) {
    target.focus();
    return;
  }
  if (target?.dataset?.action && target.dataset.id !== undefined) {
    const same = $$(`#panel-${current} button[data-action="${target.dataset.action}"]`).find(
      (b) => b.dataset.id === target.dataset.id,
    );
    if (same) {
      same.focus();
      return;
    }
  }
  focusHeading();
}

/** Focus on the current section's heading: a safe place when the focused control went away. */
function focusHeading() {
  const panel = $(`#panel-${current}`);
  if (panel && !panel.hidden) {
    const heading = $('h1', panel);
    heading.tabIndex = -1;
    heading.focus();
  }
}

function dialogError(dialog, text) {
  const error = $('[data-dialog-error]', dialog);
  error.textContent = text;
}

/** While `work` runs, the dialog's buttons are disabled; an ApiError shows in the dialog. */
async function busy(dialog, work) {
  const focused = document.activeElement;
  const buttons = $$('button', dialog);
  for (const b of buttons) b.disabled = true;
  dialog.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 401) {
      dialog.close();
    } else {
      dialogError(dialog, err.description);
    }
    return undefined;
  } finally {
    for (const b of buttons) b.disabled = false;
    dialog.removeAttribute('aria-busy');
    // Disabling the button that was pressed took the focus away; give it back.
    if (dialog.open && dialog.contains(focused)) focused.focus();
  }
}

/** The confirmation dialog: runs `action` on confirm, then closes; resolves to its result. */
function confirmAction({ title, message, confirmLabel, action, returnTo }) {
  const dialog = $('#confirm-dialog');
  $('#confirm-title').textContent = title;
  $('#confirm-message').textContent = message;
  $('#confirm-ok').textContent = confirmLabel;
  return new Promise((resolve) => {
    const form = $('#confirm-form');
    const onSubmit = async (event) => {
      event.preventDefault();
      const result = await busy(dialog, action);
      if (result !== undefined) {
        finish(result);
        dialog.close('confirm');
      }
    };
    const finish = (result) => {
      form.removeEventListener('submit', onSubmit);
      resolve(result);
    };
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('close', () => finish(undefined), { once: true });
    openDialog(dialog, { returnTo });
  });
}

/** The show-once dialog for a new token or secret. */
function showSecret({ title, intro, label, value, returnTo }) {
  const dialog = $('#secret-dialog');
  $('#secret-title').textContent = title;
  $('#secret-intro').textContent = intro;
  $('#secret-label').textContent = label;
  $('#secret-copied').textContent = '';
  const textarea = $('#new-token');
  textarea.value = value;
  dialog.addEventListener(
    'close',
    () => {
      // Gone from the page once the dialog is closed.
      textarea.value = '';
    },
    { once: true },
  );
  openDialog(dialog, { returnTo });
  textarea.focus();
  textarea.select();
  textarea.scrollTop = 0;
}

async function copySecret() {
  const textarea = $('#new-token');
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

/* ------------------------------------------------------------ PAT actions */

function futureIso(input, { before } = {}) {
  if (input.value === '') return { iso: undefined };
  const date = new Date(input.value);
  if (Number.isNaN(date.getTime())) return { error: 'Enter a valid date and time.' };
  if (date.getTime() <= Date.now()) return { error: 'Choose a date and time in the future.' };
  if (before && date.getTime() > before.getTime()) {
    return { error: `Choose a time before the token's own expiry (${dateFormat.format(before)}).` };
  }
  return { iso: date.toISOString() };
}

function openAddPat() {
  const dialog = $('#pat-add-dialog');
  const form = $('#pat-add-form');
  form.reset();
  $('#pat-expires').min = toLocalInput(new Date());
  openDialog(dialog);
}

async function submitAddPat(event) {
  event.preventDefault();
  const dialog = $('#pat-add-dialog');
  const name = $('#pat-name').value.trim();
  const nameInput = $('#pat-name');
  nameInput.removeAttribute('aria-invalid');
  if (name === '') {
    nameInput.setAttribute('aria-invalid', 'true');
    dialogError(dialog, 'Enter a name.');
    nameInput.focus();
    return;
  }
  const expires = futureIso($('#pat-expires'));
  if (expires.error) {
    dialogError(dialog, expires.error);
    $('#pat-expires').focus();
    return;
  }
  const scope = $('#pat-scope').value.trim().split(/\s+/).filter(Boolean).join(' ');
  const body = {
    name,
    role: $('#pat-role').value,
    ...(scope === '' ? {} : { scope }),
    ...(expires.iso === undefined ? {} : { expires: expires.iso }),
  };
  const created = await busy(dialog, () => api('POST', 'pats', body));
  if (created === undefined) return;
  dialog.close();
  await load('pats');
  showNotice(
    `Access token ${quoted(created.name ?? name)} created. Authorise it before it is used.`,
  );
  showSecret({
    title: 'Your new access token',
    intro: `The access token ${quoted(created.name ?? name)} (role ${created.role ?? body.role}) is pending: it works only after you AUTHORISE it for the JSON API and/or the web page.`,
    label: 'Access token',
    value: created.token,
    returnTo: () =>
      $$('#panel-pats button[data-action="authorise"]').find((b) => b.dataset.id === created.id),
  });
}

let authorising = null;

function openAuthorise(pat) {
  authorising = pat;
  const dialog = $('#pat-authorise-dialog');
  $('#pat-authorise-form').reset();
  $('[data-pat-name]', dialog).textContent = quoted(pat.name);
  const expiry = toDate(pat.expires_at);
  $('[data-pat-expiry]', dialog).textContent = expiry === null ? 'none' : dateFormat.format(expiry);
  $('#pat-authorise-api').checked = Boolean(pat.api);
  $('#pat-authorise-web').checked = Boolean(pat.web);
  const input = $('#pat-authorise-expires');
  input.min = toLocalInput(new Date());
  if (expiry === null) input.removeAttribute('max');
  else input.max = toLocalInput(expiry);
  openDialog(dialog);
}

async function submitAuthorise(event) {
  event.preventDefault();
  const dialog = $('#pat-authorise-dialog');
  const pat = authorising;
  const apiBox = $('#pat-authorise-api');
  const webBox = $('#pat-authorise-web');
  if (!apiBox.checked && !webBox.checked) {
    dialogError(dialog, 'Choose the JSON API, the web page or both.');
    apiBox.focus();
    return;
  }
  const expires = futureIso($('#pat-authorise-expires'), {
    before: toDate(pat.expires_at) ?? undefined,
  });
  if (expires.error) {
    dialogError(dialog, expires.error);
    $('#pat-authorise-expires').focus();
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
  await load('pats');
  dialog.close();
}

async function revokePat(pat) {
  const self = session?.id === pat.id;
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
    signOut({ notice: `${quoted(pat.name)} is revoked; you have been signed out.` });
    return;
  }
  await load('pats');
}

/* ------------------------------------------------- other sections' actions */

async function rotateClientSecret(client, button) {
  const result = await confirmAction({
    title: 'Rotate client secret',
    message: `Replace the secret of ${quoted(client.name)} (${client.client_id})? The current secret stops working at once: every application using it needs the new one.`,
    confirmLabel: 'Rotate secret',
    action: () => api('POST', `clients/${encodeURIComponent(client.client_id)}/rotate-secret`),
  });
  if (result === undefined) return;
  await load('clients');
  showNotice(`The secret of ${quoted(client.name)} was rotated.`);
  showSecret({
    title: 'New client secret',
    intro: `The new secret of client ${quoted(client.name)} (${result.client_id ?? client.client_id}).`,
    label: 'Client secret',
    value: result.client_secret,
    returnTo: () => button,
  });
}

async function revokeSimple(name, row) {
  const what =
    name === 'login-tokens'
      ? { noun: 'login token', label: `login token ${row.id} of customer ${row.customer_uuid}` }
      : { noun: 'API key', label: `API key ${quoted(row.name)} (${row.key_hint})` };
  const result = await confirmAction({
    title: `Revoke ${what.noun}`,
    message: `Revoke ${what.label}? Requests made with it will be rejected from now on. This cannot be undone.`,
    confirmLabel: 'Revoke',
    action: () => api('POST', `${name}/${encodeURIComponent(String(row.id))}/revoke`),
  });
  if (result === undefined) return;
  showNotice(`${what.label.charAt(0).toUpperCase()}${what.label.slice(1)} is revoked.`);
  await load(name);
}

function onRowAction(event) {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const name = button.closest('[role="tabpanel"]').id.replace('panel-', '');
  const key = name === 'clients' ? 'client_id' : 'id';
  const row = (data[name] ?? []).find((r) => String(r[key]) === button.dataset.id);
  if (!row) return;
  clearMessages();
  const action = button.dataset.action;
  if (name === 'pats' && action === 'authorise') openAuthorise(row);
  else if (name === 'pats' && action === 'revoke') revokePat(row);
  else if (name === 'clients' && action === 'rotate') rotateClientSecret(row, button);
  else if (action === 'revoke') revokeSimple(name, row);
}

/* ------------------------------------------------------------------- tabs */

const order = ['pats', 'clients', 'login-tokens', 'api-keys', 'audit'];
let current = 'pats';

function select(wanted, { focus = false, reload = true } = {}) {
  const name = order.includes(wanted) ? wanted : 'pats';
  current = name;
  for (const tab of $$('[role="tab"]')) {
    const selected = tab.dataset.section === name;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    if (selected && focus) tab.focus();
  }
  for (const panel of $$('[role="tabpanel"]')) panel.hidden = panel.id !== `panel-${name}`;
  if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
  render(name);
  if (reload) load(name);
}

function onTabKey(event) {
  const index = order.indexOf(current);
  const next = {
    ArrowRight: (index + 1) % order.length,
    ArrowLeft: (index - 1 + order.length) % order.length,
    Home: 0,
    End: order.length - 1,
  }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  select(order[next], { focus: true });
}

/* ---------------------------------------------------------------- session */

let session = null;

function showSignIn() {
  session = null;
  $('#app').hidden = true;
  $('#session').hidden = true;
  $('#sign-in').hidden = false;
  $('#admin-token').value = '';
}

function showApp(pat) {
  session = pat;
  $('#session-name').textContent = pat.name;
  $('#session-role').textContent = pat.role;
  $('#session').hidden = false;
  $('#sign-in').hidden = true;
  $('#app').hidden = false;
  const fromHash = location.hash.replace('#', '');
  select(order.includes(fromHash) ? fromHash : 'pats');
}

/** Roles the server knows, if it says (a `roles` setting may add some): the ADD form offers them. */
function useRoles(roles) {
  const names = roles.map((r) => (typeof r === 'string' ? r : r?.name)).filter(Boolean);
  if (names.length === 0) return;
  const roleSelect = $('#pat-role');
  const options = names.map((name) => {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = name;
    return option;
  });
  roleSelect.replaceChildren(...options);
  roleSelect.value = names.includes('user') ? 'user' : names[0];
}

/** Removes the token from this browser and shows the sign-in form. */
function signOut({ notice = '', error = '' } = {}) {
  tokenStore.clear();
  for (const key of Object.keys(data)) delete data[key];
  for (const dialog of $$('dialog[open]')) dialog.close();
  showSignIn();
  showNotice(notice);
  showError(error);
  $('#admin-token').focus();
}

/** Asks the server who the stored token belongs to; signs out if it is not a usable admin token. */
async function startSession() {
  try {
    const body = await api('GET', 'session');
    showApp(body.pat);
    if (Array.isArray(body.roles)) useRoles(body.roles);
    return true;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 401) {
      signOut({ error: `This token is not valid (${err.description}).` });
    } else if (err.status === 403) {
      signOut({ error: `This token is not an admin token (${err.description}).` });
    } else {
      // The server is down or failing: keep the token, let the user retry.
      showSignIn();
      showError(err.description);
    }
    return false;
  }
}

async function onSignIn(event) {
  event.preventDefault();
  clearMessages();
  const input = $('#admin-token');
  const problem = $('#sign-in-problem');
  const token = input.value.trim();
  problem.hidden = true;
  input.removeAttribute('aria-invalid');
  if (token === '') {
    problem.textContent = 'Paste an admin token.';
    problem.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  const button = $('button[type="submit"]', event.target);
  button.disabled = true;
  tokenStore.set(token);
  try {
    if (await startSession()) {
      showNotice(`Signed in as ${session.name}.`);
      $('[role="tab"][aria-selected="true"]')?.focus();
    }
  } finally {
    button.disabled = false;
  }
}

/* ------------------------------------------------------------------- wire */

function wire() {
  $('#sign-in-form').addEventListener('submit', onSignIn);
  $('#sign-out').addEventListener('click', () =>
    signOut({ notice: 'Signed out. The admin token was removed from this browser.' }),
  );

  for (const tab of $$('[role="tab"]')) {
    tab.addEventListener('click', () => {
      clearMessages();
      select(tab.dataset.section);
    });
    tab.addEventListener('keydown', onTabKey);
  }
  for (const input of $$('[data-filter]')) {
    input.addEventListener('input', () => render(input.dataset.filter));
  }
  for (const statusSelect of $$('[data-status-filter]')) {
    statusSelect.addEventListener('change', () => render(statusSelect.dataset.statusFilter));
  }
  for (const button of $$('[data-refresh]')) {
    button.addEventListener('click', () => {
      clearMessages();
      load(button.dataset.refresh);
    });
  }
  for (const panel of $$('[role="tabpanel"]')) panel.addEventListener('click', onRowAction);

  for (const button of $$('dialog [data-close]')) {
    button.addEventListener('click', () => button.closest('dialog').close('cancel'));
  }
  $('#pat-add').addEventListener('click', () => {
    clearMessages();
    openAddPat();
  });
  $('#pat-add-form').addEventListener('submit', submitAddPat);
  $('#pat-authorise-form').addEventListener('submit', submitAuthorise);
  $('#secret-copy').addEventListener('click', copySecret);

  // Signed out (or in) in another tab of this browser.
  window.addEventListener('storage', (event) => {
    if (event.key !== TOKEN_KEY && event.key !== null) return;
    if (tokenStore.get() === null && session !== null) {
      signOut({ notice: 'Signed out in another window.' });
    }
  });
  window.addEventListener('hashchange', () => {
    const name = location.hash.replace('#', '');
    if (session !== null && order.includes(name) && name !== current) select(name);
  });
}

wire();
if (tokenStore.get()) {
  startSession();
} else {
  showSignIn();
}
