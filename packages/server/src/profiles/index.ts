import { UsageError } from '../errors.js';
import { depotfinityProfile } from './depotfinity.js';
import { edrvProfile } from './edrv.js';
import { enectivaProfile } from './enectiva.js';
import { kostalProfile } from './kostal.js';
import { net2gridProfile } from './net2grid.js';
import type { Profile } from './profile.js';
import { standardProfile } from './standard.js';

const PROFILES: ReadonlyMap<string, Profile> = new Map(
  [
    standardProfile,
    enectivaProfile,
    net2gridProfile,
    edrvProfile,
    depotfinityProfile,
    kostalProfile,
  ].map((p) => [p.name, p]),
);

export const profileNames = (): string[] => [...PROFILES.keys()];

/**
 * Which profile answers each token path: `standard` everywhere, then each
 * named profile (in the order given) takes over the paths it serves.
 */
export function resolveTokenRoutes(names: readonly string[]): Map<string, Profile> {
  const routes = new Map<string, Profile>();
  for (const path of standardProfile.tokenPaths) routes.set(path, standardProfile);
  for (const name of names) {
    const profile = PROFILES.get(name);
    if (profile === undefined) {
      throw new UsageError(
        `unknown profile ${JSON.stringify(name)} (known: ${profileNames().join(', ')})`,
      );
    }
    for (const path of profile.tokenPaths) routes.set(path, profile);
  }
  return routes;
}

export type { Profile } from './profile.js';
