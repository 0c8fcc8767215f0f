interface LockEntry {
  version?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

interface Manifest extends LockEntry {
  name: string;
  version: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  license?: string;
}

/** `node_modules/a/node_modules/b` → `node_modules/a`; `packages/server` → the root. */
function parentOf(location: string): string {
  const i = location.lastIndexOf('/node_modules/');
  return i < 0 ? '' : location.slice(0, i);
}

/** Node's lookup, over lockfile locations: the nearest `node_modules/<name>` up from `from`. */
function locate(packages: Record<string, LockEntry>, from: string, name: string) {
  for (let at = from; ; at = parentOf(at)) {
    const candidate = at === '' ? `node_modules/${name}` : `${at}/node_modules/${name}`;
    if (packages[candidate] !== undefined && packages[candidate].link !== true) return candidate;
    if (at === '') return undefined;
  }
}

/**
 * A lockfile for an empty project that depends only on the packed tarball
 * of the workspace package at `workspace` (e.g. `packages/server`), taken
 * from the monorepo's lockfile: the same versions at the same places, so
 * that `npm ci --offline` installs every dependency from the npm cache that
 * the monorepo's `npm ci` filled. (`npm install --offline <tarball>` cannot:
 * the cache holds tarballs, not the registry documents that resolving a
 * range needs.)
 */
export function lockfileForTarball(
  repoLock: { packages: Record<string, LockEntry> },
  workspace: string,
  manifest: Manifest,
  tarball: string,
  /**
   * The repository's `overrides` (its pins to versions that run on Node 20),
   * which the lock entries copied here follow; without them npm ci finds the
   * lock out of step with the dependents' ranges.
   */
  overrides: object = {},
): { packageJson: object; lockfile: object } {
  const picked = new Map<string, LockEntry>();
  const queue: Array<[string, LockEntry]> = [[workspace, manifest]];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const [from, entry] = next;
    const required = Object.keys(entry.peerDependencies ?? {}).filter(
      (name) => entry.peerDependenciesMeta?.[name]?.optional !== true,
    );
    const optional = Object.keys(entry.optionalDependencies ?? {});
    for (const name of [...Object.keys(entry.dependencies ?? {}), ...required, ...optional]) {
      const at = locate(repoLock.packages, from, name);
      if (at === undefined) {
        if (optional.includes(name)) continue;
        throw new Error(`${name} (needed by ${from}) is not in package-lock.json: run npm install`);
      }
      const found = repoLock.packages[at];
      if (found === undefined || picked.has(at)) continue;
      picked.set(at, found);
      queue.push([at, found]);
    }
  }
  const spec = `file:${tarball}`;
  const packages: Record<string, object> = {
    '': { dependencies: { [manifest.name]: spec } },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: spec,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
      license: manifest.license,
    },
  };
  // What sat under the workspace's own node_modules moves under the installed package.
  for (const [at, entry] of picked) {
    packages[
      at.startsWith(`${workspace}/`) ? at.replace(workspace, `node_modules/${manifest.name}`) : at
    ] = entry;
  }
  return {
    packageJson: {
      name: 'packed-install',
      private: true,
      dependencies: { [manifest.name]: spec },
      overrides,
    },
    lockfile: { name: 'packed-install', lockfileVersion: 3, requires: true, packages },
  };
}
