import type { FastifyInstance } from 'fastify';
import { UsageError } from '../errors.js';
import { depotfinityProfile } from './depotfinity/index.js';
import { edrvProfile } from './edrv/index.js';
import { enectivaProfile } from './enectiva/index.js';
import { kostalProfile } from './kostal/index.js';
import { net2gridProfile } from './net2grid/index.js';
import type { Profile, ProfileServices } from './profile.js';
import { standardProfile } from './standard/index.js';

function profileNamed(name: string): Profile {
  const profile = PROFILES.get(name);
  if (profile === undefined) {
    throw new UsageError(
      `unknown profile ${JSON.stringify(name)} (known: ${profileNames().join(', ')})`,
    );
  }
  return profile;
}

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

/** The named profiles, each once, in the order first named; an unknown name is a usage error. */
export function namedProfiles(names: readonly string[]): Profile[] {
  const named: Profile[] = [];
  for (const name of names) {
    const profile = profileNamed(name);
    if (!named.includes(profile)) named.push(profile);
  }
  return named;
}

/**
 * Which profile answers each token path: `standard` everywhere, then each
 * named profile (in the order given; the last naming wins) takes over the
 * paths it serves.
 */
export function resolveTokenRoutes(names: readonly string[]): Map<string, Profile> {
  const routes = new Map<string, Profile>();
  for (const path of standardProfile.tokenPaths) routes.set(path, standardProfile);
  for (const profile of names.map(profileNamed)) {
    for (const path of profile.tokenPaths) routes.set(path, profile);
  }
  return routes;
}

/** Registers the routes of each named profile's own; a profile not named serves none. */
export async function registerProfileRoutes(
  app: FastifyInstance,
  names: readonly string[],
  services: ProfileServices,
): Promise<void> {
  for (const profile of namedProfiles(names)) await profile.registerRoutes?.(app, services);
}

export type { Profile, ProfileServices } from './profile.js';
