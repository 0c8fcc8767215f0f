import { describe, expect, it } from 'vitest';
import { InvalidFieldError } from '../errors.js';
import { BUILT_IN_ROLES, patScopes, roleScopes } from './roles.js';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    if (err instanceof InvalidFieldError) return err;
    throw err;
  }
  throw new Error('expected an InvalidFieldError');
};

describe('roleScopes', () => {
  it('gives the built-in roles, which configuration may add to or replace', () => {
    expect(roleScopes({}, 'viewer')).toEqual(['read']);
    expect(roleScopes({}, 'admin')).toEqual(['*']);
    const roles = { viewer: ['meter:read'], operator: ['meter:read', 'tariff:write'] };
    expect(roleScopes(roles, 'viewer')).toEqual(['meter:read']);
    expect(roleScopes(roles, 'operator')).toEqual(['meter:read', 'tariff:write']);
    expect(roleScopes(roles, 'user')).toEqual(['read', 'write']);
    expect(BUILT_IN_ROLES.viewer).toEqual(['read']);
  });

  it('knows own properties only: constructor, toString and __proto__ are no roles', () => {
    for (const role of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'owner']) {
      const err = refusal(() => roleScopes({ operator: ['x'] }, role));
      expect(err.field).toBe('role');
      expect(err.message).toContain('known: admin, user, viewer, operator');
    }
  });

  it('names the unknown role to the operator, but not in the public message', () => {
    const err = refusal(() => roleScopes({}, '<script>'));
    expect(err.message).toContain('"<script>"');
    expect(err.publicMessage).not.toContain('<script>');
  });
});

describe('patScopes', () => {
  it("carries the role's scopes when none are asked for, as a copy", () => {
    const role = ['read', 'write'];
    const scopes = patScopes(role, []);
    expect(scopes).toEqual(['read', 'write']);
    scopes.push('admin');
    expect(role).toEqual(['read', 'write']);
  });

  it('narrows within the role, and lets * ask for anything', () => {
    expect(patScopes(['read', 'write'], ['write'])).toEqual(['write']);
    expect(patScopes(['*'], ['meter:read', 'admin'])).toEqual(['meter:read', 'admin']);
    const err = refusal(() => patScopes(['read'], ['read', 'write', 'delete']));
    expect(err.field).toBe('scope');
    expect(err.message).toBe('scope names write delete, outside the role');
  });

  it('names each scope once, in the order first asked for', () => {
    expect(patScopes(['read', 'write'], ['write', 'read', 'write'])).toEqual(['write', 'read']);
    expect(patScopes(['*'], ['admin', 'admin'])).toEqual(['admin']);
  });
});
