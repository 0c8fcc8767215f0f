import type { VerifyOptions } from '../types.js';
import type { CallOptions } from './state-checks.js';

const NO_OPTIONS: CallOptions = Object.freeze({ scopes: Object.freeze([]), interface: 'api' });

/** RFC 6749 §3.3: a scope token is one or more of %x21 / %x23-5B / %x5D-7E. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Checks `{ scopes, interface }` of a call or a route: a mistake is a TypeError. */
/**
 * Options objects already checked, with what they held then: a route passes
 * the same object on every request. A changed object is checked again.
 */
const checked = new WeakMap<object, CallOptions>();

function unchanged(options: VerifyOptions, known: CallOptions): boolean {
  const { scopes = [], interface: on = 'api' } = options;
  if (on !== known.interface || !Array.isArray(scopes)) return false;
  if (scopes.length !== known.scopes.length) return false;
  return scopes.every((s, i) => s === known.scopes[i]);
}

export function checkCallOptions(
  options: VerifyOptions | undefined,
  where = 'options',
): CallOptions {
  if (options === undefined) return NO_OPTIONS;
  const known = typeof options === 'object' && options !== null ? checked.get(options) : undefined;
  if (known !== undefined && unchanged(options, known)) return known;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${where} must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'scopes' && key !== 'interface') {
      throw new TypeError(`${where}.${key} is not an option`);
    }
  }
  const { scopes = [], interface: on = 'api' } = options;
  if (
    !Array.isArray(scopes) ||
    !scopes.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s))
  ) {
    throw new TypeError(`${where}.scopes must be an array of scope tokens (RFC 6749 §3.3)`);
  }
  if (on !== 'api' && on !== 'web')
    throw new TypeError(`${where}.interface must be 'api' or 'web'`);
  // Copied, so that a caller changing its object later does not change what was checked.
  const result: CallOptions = Object.freeze({ scopes: Object.freeze([...scopes]), interface: on });
  checked.set(options, result);
  return result;
}
