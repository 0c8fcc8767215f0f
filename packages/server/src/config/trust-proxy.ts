import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

/** proxy-addr's names for address ranges, as Fastify accepts them. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const MAX_HOPS = 10;

/**
 * Which `X-Forwarded-For` entries to believe, in Fastify's `trustProxy` form:
 * `false` (the default: the socket address is the client), a function
 * trusting a number of proxy hops, or the addresses and CIDR ranges of the
 * proxies. Trusting every
 * sender (`true`) is not offered: anyone reaching the server directly could
 * then pick the address its failure budgets are charged to.
 */
export type TrustProxy = false | ((address: string, hop: number) => boolean) | string[];

/** Parses `trustProxy` (`1`, `loopback`, `10.0.0.0/8,192.0.2.7`); a bad entry is a usage error. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value === '' || value === 'false') return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops < 1 || hops > MAX_HOPS) {
      throw new UsageError(`invalid configuration: trustProxy: hops must be 1–${MAX_HOPS}`);
    }
    // What Fastify does with a number (its types only admit the function).
    return (_address, hop) => hop < hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (!RANGE_NAMES.has(entry) && !isAddressOrRange(entry)) {
      throw new UsageError(
        `invalid configuration: trustProxy: "${entry.slice(0, 60)}" is not an IP address, CIDR range, loopback, linklocal or uniquelocal`,
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
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}
