import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { loadConfig } from './load-config.js';
import { parseTrustProxy } from './trust-proxy.js';

describe('trustProxy', () => {
  it('is off unless set', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
  });

  it('takes addresses, CIDR ranges and proxy-addr range names', () => {
    expect(parseTrustProxy('loopback, 10.0.0.0/8,192.0.2.7,2001:db8::/32')).toEqual([
      'loopback',
      '10.0.0.0/8',
      '192.0.2.7',
      '2001:db8::/32',
    ]);
  });

  it('refuses trusting everyone, hop counts and anything else, naming the entry', () => {
    const bad = ['true', '1', '2', '0.0.0.0/0', '::/0', 'proxy.example', '10.0.0.0/33', '::1/129'];
    for (const value of [...bad, '1.2.3.4/8/1']) {
      expect(() => parseTrustProxy(value), value).toThrow(UsageError);
    }
    expect(() => loadConfig({ flags: { trustProxy: 'loopback,nginx' } })).toThrow(
      /^trustProxy must list IP addresses, .* \(got 'nginx'\)$/,
    );
    expect(() => loadConfig({ env: { GRIDKEY_TRUST_PROXY: '1' } })).toThrow(
      /^GRIDKEY_TRUST_PROXY must list IP addresses, .* \(got '1'\)$/,
    );
  });
});
