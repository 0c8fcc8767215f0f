import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// semver ships no types and @types/semver is not installed: the two functions used, typed here.
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

interface LockEntry {
  version?: string;
  engines?: Record<string, string> | string[];
  optional?: boolean;
}
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, LockEntry> };
const rootPackage = JSON.parse(read('package.json')) as {
  engines: { node: string };
  workspaces: string[];
};
const NODE_RANGE = rootPackage.engines.node;
const NODE_MINIMUM = semver.minVersion(NODE_RANGE)?.version ?? '';

/**
 * Optional packages whose engines exclude the minimum. npm skips an optional
 * dependency whose engines do not match, silently and without installing
 * it, so nothing runs without them; each is named so that a new one is seen.
 */
const SKIPPED_OPTIONAL: Readonly<Record<string, string>> = {
  // An optional dependency of rollup 4.67.4 (pinned in overrides, for the
  // registry's platform packages); rollup runs without it.
  'node_modules/@napi-rs/lzma-linux-x64-gnu': '^22.20 || ^24.12 || >=25',
};

describe(`every locked package runs on Node.js ${NODE_MINIMUM}, the engines minimum`, () => {
  it('takes the minimum from the root package.json', () => {
    expect(NODE_RANGE).toBe('>=20.19');
    expect(NODE_MINIMUM).toBe('20.19.0');
  });

  it("is inside each package's engines.node in package-lock.json", () => {
    const refused: string[] = [];
    let checked = 0;
    for (const [path, entry] of Object.entries(lock.packages)) {
      // Old packages give engines as a list of strings; npm ignores that form.
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (range === undefined) continue;
      checked++;
      if (semver.satisfies(NODE_MINIMUM, range)) continue;
      if (entry.optional === true && SKIPPED_OPTIONAL[path] === range) continue;
      refused.push(`${path || '(root)'}@${entry.version ?? ''}: engines.node ${range}`);
    }
    expect(checked).toBeGreaterThan(100);
    expect(refused).toEqual([]);
  });

  it('lists only skipped optional packages that are still in the lock', () => {
    for (const [path, range] of Object.entries(SKIPPED_OPTIONAL)) {
      const entry = lock.packages[path];
      expect(entry?.optional, path).toBe(true);
      expect(Array.isArray(entry?.engines) ? undefined : entry?.engines?.node, path).toBe(range);
    }
  });

  it('is the engines range of every workspace package', () => {
    const workspaces = Object.keys(lock.packages).filter(
      (path) => path !== '' && !path.includes('node_modules/'),
    );
    expect(workspaces.length).toBeGreaterThanOrEqual(4);
    for (const path of workspaces) {
      const pkg = JSON.parse(read(`${path}/package.json`)) as { engines?: { node?: string } };
      expect(pkg.engines?.node, path).toBe(NODE_RANGE);
    }
  });

  it('is the version README.md, CONTRIBUTING.md and docs/getting-started.md ask for', () => {
    const minor = NODE_MINIMUM.replace(/\.0$/, '');
    for (const doc of ['README.md', 'CONTRIBUTING.md', 'docs/getting-started.md']) {
      const asked = [...read(doc).matchAll(/Node\.js (\d+(?:\.\d+)*) or newer/g)].map((m) => m[1]);
      expect(asked, doc).toEqual([minor]);
    }
  });
});
