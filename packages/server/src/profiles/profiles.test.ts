import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { depotfinityProfile } from './depotfinity/index.js';
import { enectivaProfile } from './enectiva/index.js';
import { namedProfiles, profileNames, resolveTokenRoutes } from './index.js';
import { standardProfile } from './standard/index.js';

describe('the profile registry', () => {
  it('knows every profile folder', () => {
    expect(profileNames()).toEqual([
      'standard',
      'enectiva',
      'net2grid',
      'edrv',
      'depotfinity',
      'kostal',
    ]);
  });

  it('refuses an unknown name, naming the known ones', () => {
    expect(() => resolveTokenRoutes(['bogus'])).toThrow(UsageError);
    expect(() => namedProfiles(['bogus'])).toThrow(
      'unknown profile "bogus" (known: standard, enectiva, net2grid, edrv, depotfinity, kostal)',
    );
  });

  it('gives a path to the profile named last, and names each profile once', () => {
    expect(resolveTokenRoutes(['depotfinity', 'standard']).get('/oauth2/token')).toBe(
      standardProfile,
    );
    expect(resolveTokenRoutes(['standard', 'depotfinity']).get('/oauth2/token')).toBe(
      depotfinityProfile,
    );
    expect(namedProfiles(['enectiva', 'enectiva'])).toEqual([enectivaProfile]);
  });
});
