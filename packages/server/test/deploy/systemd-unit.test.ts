import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigSchema } from '../../src/config/schema.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const UNIT_PATH = join(ROOT, 'deploy/gridkey.service');
const ENV_EXAMPLE_PATH = join(ROOT, 'deploy/gridkey.env.example');
const UNIT = readFileSync(UNIT_PATH, 'utf8');

/** Where deploy/README.md installs gridkey and Node.js; the unit names both in ExecStart=. */
const INSTALLED_NODE = '/usr/bin/node';
const INSTALLED_ROOT = '/opt/gridkey/';
const CLI_IN_CHECKOUT = 'packages/server/bin/gridkey.js';

/** Section → key → every value the key is given (a key may repeat, e.g. SystemCallFilter=). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current === undefined || eq < 1) throw new Error(`unparsable unit line: ${raw}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

/** Whether systemd-analyze is here; under CI=true its absence is a failure, not a skip. */
function systemdAnalyzeAvailable(): boolean {
  const found =
    spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' }).stdout.trim() !==
    '';
  if (!found && process.env.CI === 'true') {
    throw new Error('systemd-analyze not found, and CI=true requires it (Debian package systemd)');
  }
  if (!found) {
    console.warn(
      '\n!!! systemd-analyze not found: the systemd unit verification is SKIPPED. Install systemd to run it.\n',
    );
  }
  return found;
}

const service = parseUnit(UNIT).get('Service') ?? new Map<string, string[]>();
const only = (key: string) => {
  const values = service.get(key);
  expect(values, `${key}= set once in [Service]`).toHaveLength(1);
  return values?.[0];
};

describe('deploy/gridkey.service', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gridkey-unit-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('passes systemd-analyze verify, without a warning about the unit', (ctx) => {
    if (!systemdAnalyzeAvailable()) ctx.skip();
    // verify refuses a unit whose ExecStart binary does not exist, and this
    // machine has no /opt/gridkey (nor, necessarily, /usr/bin/node). So the
    // unit verified is the shipped one with only the installation prefix
    // moved: this Node.js and this checkout's built CLI, which the suite
    // builds first. Every other line is byte for byte the shipped one.
    const cli = join(ROOT, CLI_IN_CHECKOUT);
    expect(existsSync(cli), `${cli} is built (npm run build)`).toBe(true);
    const execStart = UNIT.split('\n').filter((l) => l.startsWith('ExecStart='));
    expect(execStart).toEqual([
      `ExecStart=${INSTALLED_NODE} ${INSTALLED_ROOT}${CLI_IN_CHECKOUT} serve --data-dir /var/lib/gridkey`,
    ]);
    const local = UNIT.split('\n')
      .map((l) =>
        l.startsWith('ExecStart=')
          ? l.replace(INSTALLED_NODE, process.execPath).replace(INSTALLED_ROOT, ROOT)
          : l,
      )
      .join('\n');
    expect(local).not.toBe(UNIT);
    const unitPath = join(tmp, 'gridkey.service');
    writeFileSync(unitPath, local);

    const run = spawnSync('systemd-analyze', ['verify', '--man=no', unitPath], {
      encoding: 'utf8',
    });
    const output = `${run.stdout}${run.stderr}`;
    // Unknown or misspelt directives are only warnings: verify still exits 0.
    const aboutUnit = output
      .split('\n')
      .filter((l) => l.includes(unitPath) || l.includes('gridkey.service'));
    expect(run.error).toBeUndefined();
    expect(aboutUnit, output).toEqual([]);
    expect(run.status, output).toBe(0);
  });

  it('runs `gridkey serve` as an unprivileged dynamic user, its data in StateDirectory=', () => {
    expect(only('ExecStart')).toMatch(/ serve( |$)/);
    expect(only('DynamicUser')).toBe('yes');
    expect(only('StateDirectory')).toBe('gridkey');
    // StateDirectory=gridkey is /var/lib/gridkey, and gridkey wants its data dir 0700.
    expect(only('ExecStart')).toContain('--data-dir /var/lib/gridkey');
    expect(only('StateDirectoryMode')).toBe('0700');
    expect(only('EnvironmentFile')).toBe('/etc/gridkey/gridkey.env');
    expect(only('UMask')).toBe('0077');
    expect(only('Restart')).toBe('on-failure');
  });

  it('carries the hardening directives', () => {
    for (const key of [
      'NoNewPrivileges',
      'PrivateTmp',
      'ProtectHome',
      'ProtectKernelTunables',
      'ProtectKernelModules',
      'ProtectKernelLogs',
      'ProtectControlGroups',
      'LockPersonality',
      'RestrictNamespaces',
      'RestrictSUIDSGID',
    ]) {
      expect(only(key), key).toBe('yes');
    }
    expect(only('ProtectSystem')).toBe('strict');
    expect(only('RestrictAddressFamilies')).toBe('AF_UNIX AF_INET AF_INET6');
    expect(only('CapabilityBoundingSet')).toBe('');
    expect(service.get('SystemCallFilter')).toContain('@system-service');
  });

  it('leaves MemoryDenyWriteExecute= unset: V8 JIT-compiles into writable, executable pages', () => {
    expect(service.has('MemoryDenyWriteExecute')).toBe(false);
  });

  it('gives a graceful shutdown more time than shutdownGraceSeconds before SIGKILL', () => {
    const timeout = /^(\d+)s$/.exec(only('TimeoutStopSec') ?? '');
    expect(Number(timeout?.[1])).toBeGreaterThan(DEFAULTS.shutdownGraceSeconds);
  });
});

describe('deploy/gridkey.env.example', () => {
  const example = readFileSync(ENV_EXAMPLE_PATH, 'utf8');
  const envName = (key: string) => `GRIDKEY_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
  // The configuration keys' variables, and the two that are not keys (docs/configuration.md).
  const known = new Set([
    ...Object.keys(ConfigSchema.properties).map(envName),
    'GRIDKEY_MASTER_KEY',
    'GRIDKEY_CONFIG',
  ]);
  /** `NAME=value` lines, commented-out ones (`#NAME=value`) with `commented`. */
  const assignments = (commented: boolean) =>
    Object.fromEntries(
      [...example.matchAll(/^(#?)(GRIDKEY_[A-Z_]+)=(.*)$/gm)]
        .filter((m) => commented || m[1] === '')
        .map((m) => [m[2] ?? '', m[3] ?? '']),
    );

  it('names only variables gridkey reads, here, in the unit and in deploy/README.md', () => {
    const readme = readFileSync(join(ROOT, 'deploy/README.md'), 'utf8');
    const named = [...`${example}${UNIT}${readme}`.matchAll(/GRIDKEY_[A-Z_]+/g)].map((m) => m[0]);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((n) => !known.has(n))).toEqual([]);
  });

  it('leaves the data dir to the unit: a flag wins over the environment', () => {
    expect(Object.keys(assignments(true))).not.toContain('GRIDKEY_DATA_DIR');
  });

  it('is a valid configuration as shipped and with every commented setting turned on', () => {
    for (const env of [assignments(false), assignments(true)]) {
      expect(() => loadConfig({ env, flags: { dataDir: '/var/lib/gridkey' } })).not.toThrow();
    }
    expect(assignments(false).GRIDKEY_MASTER_KEY).toBe('');
  });
});
