import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lockfileForTarball } from './offline-lockfile.js';

// The published package as a user gets it: `npm pack`, installed into an empty
// directory with nothing of the monorepo beside it, its bin run from there.

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const serverDir = join(repo, 'packages/server');
const manifest = JSON.parse(readFileSync(join(serverDir, 'package.json'), 'utf8'));
const STEP_TIMEOUT_MS = 60_000;

// npm must work on the temp project only and offline: none of the npm_* variables
// of an enclosing `npm test` (npm_config_local_prefix would point it at the
// monorepo), and a dead loopback proxy as a second guard behind --offline.
const npmEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
  npm_config_offline: 'true',
  npm_config_proxy: 'http://127.0.0.1:9',
  npm_config_https_proxy: 'http://127.0.0.1:9',
  npm_config_update_notifier: 'false',
};

let dir: string;
let app: string;
let files: string[];
let server: ChildProcess | undefined;

beforeAll(async () => {
  const built = [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/cli/main.js',
    'dist/cli/gridkey.bundle.js',
  ];
  for (const file of built) {
    if (!existsSync(join(serverDir, file))) {
      throw new Error(
        `packages/server/${file} is missing: build first (npm run build; npm test does)`,
      );
    }
  }
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'gridkey-packed-')));
  const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: serverDir,
    env: npmEnv,
    timeout: STEP_TIMEOUT_MS,
  });
  const [pack] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  files = pack.files.map((f) => f.path);

  app = join(dir, 'app');
  mkdirSync(app);
  const repoLock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));
  const { packageJson, lockfile } = lockfileForTarball(
    repoLock,
    'packages/server',
    manifest,
    `../${pack.filename}`,
    JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).overrides,
  );
  writeFileSync(join(app, 'package.json'), JSON.stringify(packageJson));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(lockfile));
  try {
    // --ignore-scripts: better-sqlite3's install would download a prebuilt
    // addon or compile one; the monorepo's build of the same version is copied.
    await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: app,
      env: npmEnv,
      timeout: STEP_TIMEOUT_MS,
    });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    const hint = stderr.includes('ENOTCACHED')
      ? 'a dependency is not in the npm cache (run npm ci in the repo first): '
      : '';
    throw new Error(`npm ci of the packed gridkey failed: ${hint}${stderr}`);
  }
  const sqlite = 'node_modules/better-sqlite3';
  const version = (root: string) =>
    JSON.parse(readFileSync(join(root, sqlite, 'package.json'), 'utf8')).version;
  expect(version(app)).toBe(version(repo));
  mkdirSync(join(app, sqlite, 'build/Release'), { recursive: true });
  copyFileSync(
    join(repo, sqlite, 'build/Release/better_sqlite3.node'),
    join(app, sqlite, 'build/Release/better_sqlite3.node'),
  );
}, 3 * STEP_TIMEOUT_MS);

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGKILL');
    await new Promise((resolve) => server?.once('exit', resolve));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('packs the built code, the bin and the admin page, and no sources or tests', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'package.json',
      'bin/gridkey.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'dist/cli/gridkey.bundle.js',
      'dist/cli/gridkey.bundle.licenses.txt',
      'admin-ui/index.html',
      'admin-ui/app.css',
      'admin-ui/favicon.svg',
      'admin-ui/js/main.js',
      'admin-ui/js/api.js',
      'admin-ui/js/table.js',
    ]),
  );
  expect(
    files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || /\.test\./.test(f)),
  ).toEqual([]);
});

it('exports the public API only; internals are not importable', async () => {
  const script = `
    const api = await import('gridkey');
    const internal = await import('gridkey/dist/gridkey.js').then(() => 'imported', (e) => e.code);
    console.log(JSON.stringify({
      names: Object.keys(api).sort(),
      internal,
      bin: import.meta.resolve('gridkey/bin/gridkey.js'),
      manifest: (await import('gridkey/package.json', { with: { type: 'json' } })).default.name,
    }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: app,
    env: { PATH: process.env.PATH },
    timeout: STEP_TIMEOUT_MS,
  });
  expect(JSON.parse(stdout)).toEqual({
    names: ['loadConfig', 'startServer'],
    internal: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    bin: new URL('node_modules/gridkey/bin/gridkey.js', `file://${app}/`).href,
    manifest: 'gridkey',
  });
});

it(
  'runs `gridkey serve` from the installed bin and answers on loopback',
  async () => {
    const bin = join(app, 'node_modules/.bin/gridkey');
    server = spawn(bin, ['serve', '--port', '0', '--data-dir', join(dir, 'data')], {
      cwd: app,
      env: { PATH: process.env.PATH },
    });
    const proc = server;
    let stdout = '';
    let stderr = '';
    proc.stderr?.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      proc.once('exit', (code) => reject(new Error(`gridkey serve exited ${code}: ${stderr}`)));
      proc.stdout?.on('data', (d) => {
        stdout += d;
        const line = stdout
          .split('\n')
          // Complete lines only: a chunk can end in the middle of one.
          .slice(0, -1)
          .find((l) => l.includes('"gridkey listening"'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
    });
    expect(new URL(url).hostname).toBe('127.0.0.1');

    const metadata = await fetch(`${url}/.well-known/oauth-authorization-server`);
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({
      issuer: url,
      jwks_uri: `${url}/.well-known/jwks.json`,
    });
    const jwks = await fetch(`${url}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    // The bin runs the bundled CLI: the admin page is found beside it all the same.
    const page = await fetch(`${url}/admin/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>');
    const script = await fetch(`${url}/admin/js/main.js`);
    expect(script.status).toBe(200);

    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  },
  STEP_TIMEOUT_MS,
);
