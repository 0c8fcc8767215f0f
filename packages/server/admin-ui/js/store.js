// @ts-check
/**
 * The page's only mutable state: the signed-in session, the section shown,
 * the rows each section last loaded, and the admin token. Everything else
 * reads it through these functions, so what can change is in one place.
 *
 * The admin token is kept in local storage under TOKEN_KEY (the kostal seed's
 * choice; docs/admin.md says what that means), or in memory for this page
 * only when the browser refuses local storage.
 */

export const TOKEN_KEY = 'gridkey.adminToken';

/** @typedef {{ id: string, name: string, role: string }} SessionPat */

/** @typedef {'1h' | '24h' | '7d'} UsageRange the Usage tab's range selector */

/** @type {{ session: SessionPat | null, current: string, rows: Map<string, unknown[]>, memoryToken: string | null, usageRange: UsageRange }} */
const state = {
  session: null,
  current: 'pats',
  rows: new Map(),
  memoryToken: null,
  usageRange: '24h',
};

/** @returns {SessionPat | null} */
export const getSession = () => state.session;

/** @param {SessionPat | null} pat */
export function setSession(pat) {
  state.session = pat;
}

export const currentSection = () => state.current;

/** @param {string} name */
export function setCurrentSection(name) {
  state.current = name;
}

/**
 * @param {string} name
 * @returns {unknown[] | undefined}
 */
export const rowsOf = (name) => state.rows.get(name);

/**
 * @param {string} name
 * @param {unknown[]} rows
 */
export function setRows(name, rows) {
  state.rows.set(name, rows);
}

export function clearRows() {
  state.rows.clear();
}

/** @returns {UsageRange} */
export const usageRange = () => state.usageRange;

/** @param {UsageRange} range */
export function setUsageRange(range) {
  state.usageRange = range;
}

/** @returns {string | null} */
export function getToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? state.memoryToken;
  } catch {
    return state.memoryToken;
  }
}

/**
 * Stores the token; false when only memory would take it (gone on reload).
 *
 * @param {string} token
 * @returns {boolean}
 */
export function setToken(token) {
  state.memoryToken = token;
  try {
    localStorage.setItem(TOKEN_KEY, token);
    state.memoryToken = null;
    return true;
  } catch {
    return false;
  }
}

export function clearToken() {
  state.memoryToken = null;
  try {
    localStorage.removeItem(TOKEN_KEY);
  } catch {
    // nothing stored
  }
}
