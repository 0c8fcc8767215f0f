import { createHash } from 'node:crypto';
import {
  checkClientAuth,
  checkCommon,
  checkObject,
  checkUrl,
  nonEmpty,
  normaliseScope,
} from '../lib/options.js';
import { MemoryTokenStore, type TokenStore } from '../stores/token-store.js';
import { RefreshCoordinator } from './refresh-coordinator.js';
import { singleEntrySource, type TokenSource } from './token-source.js';

function checkStore(store: unknown): TokenStore | undefined {
  if (store === undefined) return undefined;
  const s = store as Partial<TokenStore> | null;
  if (typeof s?.load !== 'function' || typeof s.compareAndSwap !== 'function') {
    throw new TypeError('store must have load and compareAndSwap methods (a TokenStore)');
  }
  return store as TokenStore;
}

/**
 * The store key of one login: a digest, so that the username (personal data)
 * is not written next to the tokens, and different users, clients or
 * servers sharing one store never meet.
 */
function storeKeyOf(parts: readonly unknown[]): string {
  return `password:${createHash('sha256').update(JSON.stringify(parts)).digest('hex')}`;
}

/**
 * RFC 6749 §4.3 once, then §6 refresh only: the password is held until the
 * first token arrives and then dropped; the refresh token lives in the store.
 */
export function passwordSource(options: unknown): TokenSource {
  const raw = checkObject(options, 'TokenClient.password');
  const settings = checkCommon(raw);
  const client = checkClientAuth(raw);
  const tokenUrl = checkUrl(raw.tokenUrl, 'tokenUrl');
  const username = nonEmpty(raw.username, 'username');
  const password = raw.password === undefined ? undefined : nonEmpty(raw.password, 'password');
  const scope = normaliseScope(raw.scope, 'scope');
  const key =
    raw.storeKey === undefined
      ? storeKeyOf([tokenUrl, client.clientId, username, scope ?? null])
      : nonEmpty(raw.storeKey, 'storeKey');
  const target = { scope, audience: undefined };
  const coordinator = new RefreshCoordinator(
    {
      settings,
      client,
      tokenUrl,
      username,
      scope,
      target,
      store: checkStore(raw.store) ?? new MemoryTokenStore(),
      key,
    },
    password,
  );
  return singleEntrySource(
    settings,
    target,
    (signal, emit, replacing) => coordinator.obtain(signal, emit, replacing),
    'password',
  );
}
