import { describe, expect, it } from 'vitest';
import { isCanonicalPath } from './canonical-path.js';

describe('isCanonicalPath', () => {
  it.each([
    '/',
    '/metrics',
    '/metrics?after=0',
    '/metrics?x=//%6d/../',
    '/admin/',
    '/.well-known/jwks.json',
    '/admin/api/users/a%20b',
    '/admin/api/users/a%2Fb',
    '/admin/api/users/%C3%A9',
  ])('accepts %s', (target) => {
    expect(isCanonicalPath(target)).toBe(true);
  });

  it.each([
    ['an empty segment', '//metrics'],
    ['an empty inner segment', '/oauth2//token'],
    ['an encoded unreserved letter', '/%6detrics'],
    ['an encoded unreserved letter in upper-case hex', '/%6Detrics'],
    ['an encoded tilde', '/a%7Eb'],
    ['a dot segment', '/./metrics'],
    ['a trailing dot segment', '/metrics/.'],
    ['a dot-dot segment', '/x/../metrics'],
    ['an encoded dot-dot segment', '/x/%2e%2E/metrics'],
    ['a broken escape', '/metrics%'],
    ['a non-hex escape', '/metrics%zz'],
    ['a fragment', '/metrics#x'],
    ['the absolute form', 'http://127.0.0.1/metrics'],
    ['the asterisk form', '*'],
    ['an empty target', ''],
  ])('refuses %s', (_why, target) => {
    expect(isCanonicalPath(target)).toBe(false);
  });
});
