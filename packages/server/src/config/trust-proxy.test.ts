import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { loadConfig } from './load-config.js';
import { parseTrustProxy } from './trust-proxy.js';

describe('trustProxy', () => {
  it('is off unless set', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
  });

  it('trusts a number of hops, as Fastify does with a number', () => {
    const trust = parseTrustProxy('2');
    expect(typeof trust).toBe('function');
    const trusts = trust as (address: string, hop: number) => boolean;
    expect([0, 1, 2].map((hop) => trusts('192.0.2.1', hop))).toEqual([true, true, false]);
  });

  it('takes addresses, CIDR ranges and proxy-addr range names', () => {
    expect(parseTrustProxy('loopback, 10.0.0.0/8,192.0.2.7,2001:db8::/32')).toEqual([
      'loopback',
      '10.0.0.0/8',
      '192.0.2.7',
      '2001:db8::/32',
    ]);
  });

  it('refuses anything else with the offending entry named', () => {
    for (const bad of [
      'true',
      '0',
      '11',
      'proxy.example',
      '10.0.0.0/33',
      '::1/129',
      '1.2.3.4/8/1',
    ]) {
      expect(() => parseTrustProxy(bad), bad).toThrow(UsageError);
    }
    expect(() => loadConfig({ flags: { trustProxy: 'loopback,nginx' } })).toThrow(
      /^invalid configuration: trustProxy: "nginx" is not an IP address/,
    );
    expect(() => loadConfig({ env: { GRIDKEY_TRUST_PROXY: '0' } })).toThrow(/hops must be 1–10/);
  });
});
