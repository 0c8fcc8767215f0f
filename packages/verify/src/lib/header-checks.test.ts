import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VerifyError } from '../errors.js';
import { checkHeader, HeaderChecker } from './header-checks.js';

const KID = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
const segment = (header: unknown) => Buffer.from(JSON.stringify(header)).toString('base64url');
const tokenWith = (header: unknown) => `${segment(header)}.e30.c2ln`;

/** What a check answers: the checked fields, or the error's code. */
function outcome(check: () => { kind: string; typ: string; alg: string; kid: string }) {
  try {
    const { kind, typ, alg, kid } = check();
    return { kind, typ, alg, kid };
  } catch (err) {
    if (err instanceof VerifyError) return { code: err.code };
    throw err;
  }
}

const header = fc.record(
  {
    alg: fc.constantFrom<unknown>('ES256', 'RS256', 'HS256', 'none', 7),
    kid: fc.constantFrom<unknown>(KID, 'other-kid', '', 'not a kid!', 1),
    typ: fc.constantFrom<unknown>('at+jwt', 'application/AT+JWT', 'pat+jwt', 'JWT', undefined),
    jku: fc.constant('http://attacker.test/jwks'),
    crit: fc.constant(['exp']),
  },
  { requiredKeys: ['alg', 'kid'] },
);

describe('HeaderChecker', () => {
  it('answers exactly as checkHeader does, across repeats and allowlist changes', () => {
    const allowlists = [Object.freeze(['ES256']), Object.freeze(['ES256', 'RS256'])];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(header, fc.nat(allowlists.length - 1)), { maxLength: 40 }),
        (calls) => {
          const checker = new HeaderChecker();
          // Each call twice in a row, so that the second one can only come from the memo.
          for (const [h, which] of [...calls, ...calls]) {
            const token = tokenWith(h);
            const algorithms = allowlists[which] as readonly string[];
            const expected = outcome(() => checkHeader(token, algorithms));
            expect(outcome(() => checker.check(token, algorithms))).toEqual(expected);
            expect(outcome(() => checker.check(token, algorithms))).toEqual(expected);
          }
        },
      ),
    );
  });

  it('remembers a header for one allowlist only', () => {
    const checker = new HeaderChecker();
    const token = tokenWith({ alg: 'RS256', kid: KID, typ: 'at+jwt' });
    expect(checker.check(token, ['RS256']).alg).toBe('RS256');
    expect(outcome(() => checker.check(token, ['ES256']))).toEqual({
      code: 'unsupported_algorithm',
    });
  });

  it('still checks the token itself when its header is remembered', () => {
    const checker = new HeaderChecker();
    const algorithms = ['ES256'];
    const good = tokenWith({ alg: 'ES256', kid: KID, typ: 'at+jwt' });
    expect(checker.check(good, algorithms).kind).toBe('access_token');
    const [first] = good.split('.');
    expect(outcome(() => checker.check(`${first}.e30`, algorithms))).toEqual({
      code: 'malformed',
    });
    expect(outcome(() => checker.check(`${good}.more`, algorithms))).toEqual({
      code: 'malformed',
    });
    expect(outcome(() => checker.check(`${good}${'x'.repeat(16 * 1024)}`, algorithms))).toEqual({
      code: 'malformed',
    });
  });

  it('stays bounded under a flood of distinct passing headers', () => {
    const checker = new HeaderChecker();
    const algorithms = ['ES256'];
    for (let i = 0; i < 1000; i++) {
      checker.check(tokenWith({ alg: 'ES256', kid: `kid-${i}`, typ: 'at+jwt' }), algorithms);
    }
    expect(checker.remembered).toBeLessThanOrEqual(64);
    expect(checker.remembered).toBeGreaterThan(0);
  });
});
