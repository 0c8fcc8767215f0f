// @ts-check
import { getToken } from './store.js';

/**
 * The admin API: `Authorization: Bearer` with the stored admin token and
 * `X-Gridkey-Interface: web` on every call (only tokens authorised for the
 * web page are accepted with it).
 */

/** `/admin/api/` when the page is served at `/admin/`; follows a reverse proxy's prefix. */
const API_BASE = new URL('../api/', import.meta.url).pathname;

/** Dispatched on `window` when the token stops working mid-session; main.js signs out. */
export const UNAUTHORISED_EVENT = 'gridkey:unauthorised';
/** Dispatched on `window` to sign out with a notice (the detail), e.g. after revoking one's own token. */
export const SIGN_OUT_EVENT = 'gridkey:sign-out';

/** A refused or failed call: the HTTP status (0: no answer), the `error` code and its description. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} error
   * @param {string} description
   */
  constructor(status, error, description) {
    super(description);
    this.status = status;
    this.error = error;
    this.description = description;
  }
}

/**
 * @param {unknown} json
 * @param {string} key
 * @returns {string | undefined}
 */
function field(json, key) {
  if (typeof json !== 'object' || json === null) return undefined;
  const value = /** @type {Record<string, unknown>} */ (json)[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Calls the admin API; resolves to the JSON body or rejects with an ApiError.
 *
 * @param {'GET' | 'POST' | 'PATCH' | 'DELETE'} method
 * @param {string} path relative to /admin/api/
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function api(method, path, body) {
  /** @type {Response} */
  let res;
  try {
    res = await fetch(API_BASE + path, {
      method,
      headers: {
        authorization: `Bearer ${getToken() ?? ''}`,
        'x-gridkey-interface': 'web',
        'content-type': 'application/json',
        accept: 'application/json',
      },
      // A request with a JSON content type needs a JSON body, even an empty one.
      body: method === 'GET' ? null : JSON.stringify(body ?? {}),
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
  /** @type {unknown} */
  let json;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const description =
      field(json, 'error_description') ??
      field(json, 'message') ??
      `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`;
    // The token stopped working mid-session (revoked, expired, de-authorised).
    if (res.status === 401 && path !== 'session') {
      window.dispatchEvent(new CustomEvent(UNAUTHORISED_EVENT, { detail: description }));
    }
    throw new ApiError(res.status, field(json, 'error') ?? 'http_error', description);
  }
  return json ?? {};
}
