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

/** Parses `trustProxy` (`loopback`, `10.0.0.0/8,192.0.2.7`); a bad entry is a usage error. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value === '' || value === 'false') return false;
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (!RANGE_NAMES.has(entry) && !isAddressOrRange(entry)) {
      throw new UsageError(
        `invalid configuration: trustProxy: "${entry.slice(0, 60)}" is not an IP address, CIDR range (/1 or longer), loopback, linklocal or uniquelocal`,
      );
    }
  }
  return entries;
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
