import { InvalidClientError, InvalidRequestError, TooManyRequestsError } from '../errors.js';
import type { Gridkey } from '../gridkey.js';
import { nowSeconds } from '../lib/clock.js';
import { spendEach } from '../limits/limiter.js';
import type { ClientAuthLimits } from '../limits/server-limits.js';
import type { ClientAuthMethod, ClientRecord } from '../store/types.js';

export const BASIC_REALM = 'gridkey';
const MAX_CREDENTIAL_LENGTH = 512;
/** Compared against when the client is unknown, so both failures cost the same. */
const DUMMY_HASH = '0'.repeat(64);

/**
 * The request parameters client authentication reads (`client_id`,
 * `client_secret`: RFC 6749 §2.3.1), already checked by the HTTP layer's
 * form parser, which this module does not know.
 */
export interface ClientAuthParams {
  /** The value of one parameter; undefined when absent or empty (RFC 6749 §3.1). */
  get(name: string): string | undefined;
}

interface PresentedCredentials {
  method: ClientAuthMethod;
  clientId: string;
  secret: string;
}

function fail(method: ClientAuthMethod | undefined): never {
  // One answer for an unknown client, a wrong secret and a wrong method: the
  // caller learns nothing about which client ids exist.
  throw new InvalidClientError(
    'client authentication failed',
    method === 'client_secret_basic' ? { basicRealm: BASIC_REALM } : {},
  );
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before base64. */
function decodeBasic(header: string): { clientId: string; secret: string } {
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (match?.[1] === undefined) fail('client_secret_basic');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) fail('client_secret_basic');
  try {
    // Most ids and secrets need no decoding (ours are hex and base64url).
    const plus = (s: string) => (/[%+]/.test(s) ? decodeURIComponent(s.replace(/\+/g, ' ')) : s);
    return { clientId: plus(decoded.slice(0, colon)), secret: plus(decoded.slice(colon + 1)) };
  } catch {
    fail('client_secret_basic');
  }
}

function presentedCredentials(
  authorization: string | undefined,
  params: ClientAuthParams,
): PresentedCredentials {
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (authorization !== undefined) {
    if (!/^basic(\s|$)/i.test(authorization)) {
      throw new InvalidRequestError('the Authorization header must use the Basic scheme here');
    }
    // RFC 6749 §2.3: a client MUST NOT use more than one authentication method.
    if (bodySecret !== undefined) {
      throw new InvalidRequestError('client credentials were sent in more than one place');
    }
    const basic = decodeBasic(authorization);
    if (bodyId !== undefined && bodyId !== basic.clientId) {
      throw new InvalidRequestError('client_id in the body differs from the Authorization header');
    }
    return { method: 'client_secret_basic', ...basic };
  }
  if (bodyId === undefined || bodySecret === undefined) {
    throw new InvalidClientError('client authentication is required');
  }
  return { method: 'client_secret_post', clientId: bodyId, secret: bodySecret };
}

/** Failure budgets checked before any secret is hashed. */
export interface ClientAuthGuard {
  limits: ClientAuthLimits;
  address: string;
}

/**
 * Authenticates the calling client by the method it was registered with.
 *
 * With a guard: an address that failed too often is refused (429) before
 * anything is checked. A client_id that failed too often answers further
 * failures with 429 instead of 401, but its correct secret still works: a
 * client_id is public, and must not let anyone lock its client out. Secrets
 * are 256-bit and checked with one HMAC, so letting them be tried is cheap.
 */
/** The client_id a request presents, for logs; undefined when none can be read. */
export function presentedClientId(
  authorization: string | undefined,
  params: ClientAuthParams,
): string | undefined {
  try {
    const id = presentedCredentials(authorization, params).clientId;
    // Only what has the shape of our ids (generateId): a secret sent in the
    // id's place must not reach the logs (OWASP ASVS 5 V16.2.5).
    return /^[0-9a-f]{32}$/.test(id) ? id : '(not a client id)';
  } catch {
    return undefined;
  }
}

export async function authenticateClient(
  gk: Gridkey,
  authorization: string | undefined,
  params: ClientAuthParams,
  guard?: ClientAuthGuard,
): Promise<ClientRecord> {
  const presented = presentedCredentials(authorization, params);
  if (guard === undefined) return checkCredentials(gk, presented);
  const addressWait = await guard.limits.byAddress.blockedFor(guard.address);
  if (addressWait !== undefined) {
    throw new TooManyRequestsError('too many failed client authentications', addressWait);
  }
  try {
    return await checkCredentials(gk, presented);
  } catch (err) {
    if (!(err instanceof InvalidClientError)) throw err;
    const clientKey = presented.clientId.slice(0, MAX_CREDENTIAL_LENGTH);
    const wait = await spendEach([
      [guard.limits.byClient, clientKey],
      [guard.limits.byAddress, guard.address],
    ]);
    if (wait !== undefined)
      throw new TooManyRequestsError('too many failed client authentications', wait);
    throw err;
  }
}

async function checkCredentials(
  gk: Gridkey,
  presented: PresentedCredentials,
): Promise<ClientRecord> {
  if (
    presented.clientId.length > MAX_CREDENTIAL_LENGTH ||
    presented.secret.length > MAX_CREDENTIAL_LENGTH ||
    // No client id holds U+0000, and PostgreSQL text cannot: the look-up would fail (500).
    presented.clientId.includes('\u0000')
  ) {
    fail(presented.method);
  }
  const client = await gk.clientCache.get(presented.clientId);
  const matches = gk.clientSecrets.matches(presented.secret, client?.secretHash ?? DUMMY_HASH);
  if (client === undefined) fail(presented.method);
  if (
    !matches ||
    client.authMethod !== presented.method ||
    // RFC 8594: past its sunset a deprecated client no longer works.
    (client.sunsetAt !== null && client.sunsetAt <= nowSeconds(gk.clock))
  ) {
    // Only a registered client is named: an unknown id must not grow the usage counts.
    gk.events.emit('client.authentication_failed', { clientId: client.clientId });
    fail(presented.method);
  }
  return client;
}
