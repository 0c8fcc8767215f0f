import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

/** proxy-addr's names for address ranges, as Fastify accepts them. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Which `X-Forwarded-For` entries to believe, in Fastify's `trustProxy` form:
 * `false` (the default: the socket address is the client) or the addresses
 * and CIDR ranges of the proxies. Neither "trust every sender" nor a bare
 * hop count is offered: both believe a forwarded address from anyone who
 * reaches the server directly, who could then pick the address its failure
 * budgets are charged to (Fastify 5 refuses a bare hop count for the same
 * reason).
 */
export type TrustProxy = false | string[];

/** What `trustProxy` must be, after its name. */
export const TRUST_PROXY_EXPECTED =
  'must list IP addresses, CIDR ranges (/1 or longer), loopback, linklocal or uniquelocal';

const entriesOf = (value: string | undefined): string[] =>
  value === undefined || value === '' || value === 'false'
    ? []
    : value.split(',').map((entry) => entry.trim());

/** The first entry of `trustProxy` that is none of those, cut short; `undefined` when all are. */
export function badTrustProxyEntry(value: string | undefined): string | undefined {
  const bad = entriesOf(value).find((entry) => !RANGE_NAMES.has(entry) && !isAddressOrRange(entry));
  return bad?.slice(0, 60);
}

/** Parses `trustProxy` (`loopback`, `10.0.0.0/8,192.0.2.7`); a bad entry is a usage error. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const bad = badTrustProxyEntry(value);
  if (bad !== undefined) {
    throw new UsageError(
      `invalid configuration: trustProxy ${TRUST_PROXY_EXPECTED} (got '${bad}')`,
    );
  }
  const entries = entriesOf(value);
  return entries.length === 0 ? false : entries;
}

function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  // A /0 range is every address: trusting everyone, refused above.
  return (
    /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (version === 4 ? 32 : 128)
  );
}
