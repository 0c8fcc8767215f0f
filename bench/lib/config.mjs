// The settings of a bench run, read once from the environment, and where things live: the
// gridkey build under test, the results and logs, the dependencies of the server workspace.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The gridkey command as users run it: the bin, which runs the CLI bundled by `npm run build`. */
export const BUILT_GRIDKEY_CLI = fileURLToPath(
  new URL('../../packages/server/bin/gridkey.js', import.meta.url),
);
/** What the bin runs; missing until built (the bin itself is committed). */
export const BUILT_GRIDKEY_BUNDLE = fileURLToPath(
  new URL('../../packages/server/dist/cli/gridkey.bundle.js', import.meta.url),
);
/** BENCH_GRIDKEY_CLI points at another build of the CLI, e.g. to compare two versions. */
export const GRIDKEY_CLI = process.env.BENCH_GRIDKEY_CLI ?? BUILT_GRIDKEY_CLI;
const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
export const LOG_DIR = `${RESULTS_DIR}logs/`;

/** A positive number from the environment, or `fallback` when unset. */
export function positiveNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function targetList(knownTargets, defaultTargets) {
  const raw = process.env.BENCH_TARGETS;
  if (!raw) return defaultTargets;
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !knownTargets.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown BENCH_TARGETS: ${unknown.join(', ')} (known: ${knownTargets.join(', ')})`,
    );
  }
  return names;
}

export function readConfig(knownTargets, defaultTargets = knownTargets) {
  return {
    targets: targetList(knownTargets, defaultTargets),
    seconds: positiveNumber('BENCH_SECONDS', 10),
    runs: Math.round(positiveNumber('BENCH_RUNS', 3)),
    warmupSeconds: positiveNumber('BENCH_WARMUP_SECONDS', 2),
    connections: Math.round(positiveNumber('BENCH_CONNECTIONS', 50)),
    // The server gets CPU 0 and the load generator CPU 1, so they never compete for a core.
    serverCpu: '0',
    loadCpu: '1',
  };
}

/** The machine a run was measured on, for the results file. */
export function machine() {
  return { node: process.version, cpus: cpus().map((cpu) => cpu.model) };
}

/** Writes `report` as JSON to bench/results/<file>; returns the path. */
export function writeResults(file, report) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}${file}`;
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

const serverPackageJson = new URL('../../packages/server/package.json', import.meta.url);

/**
 * Imports a package from the repo root, falling back to packages/server: some dependencies
 * (@fastify/formbody, better-sqlite3, pg) belong to the server workspace and are only hoisted to
 * the root node_modules when npm decides to.
 */
export async function importDependency(name) {
  try {
    return await import(name);
  } catch (rootError) {
    if (rootError?.code !== 'ERR_MODULE_NOT_FOUND') throw rootError;
    const resolved = createRequire(serverPackageJson).resolve(name);
    return import(pathToFileURL(resolved).href);
  }
}
