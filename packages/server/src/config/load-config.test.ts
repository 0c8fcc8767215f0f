import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from './defaults.js';
import { loadConfig } from './load-config.js';
import { type Config, ConfigSchema } from './schema.js';

const configurationDoc = new URL('../../../../docs/configuration.md', import.meta.url).pathname;

describe('loadConfig', () => {
  it('starts from the defaults and freezes the result', () => {
    const config = loadConfig();
    expect(config.port).toBe(DEFAULTS.port);
    expect(config.accessTokenTtlSeconds).toBe(3600);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('freezes nested values too, and leaves what it was given and the defaults alone', () => {
    const roles = { ops: ['read'] };
    const profiles = ['edrv'];
    const config = loadConfig({ flags: { roles, profiles } });
    expect(() => {
      (config.roles.ops as string[]).push('write');
    }).toThrow(TypeError);
    expect(() => {
      (config.roles as Record<string, string[]>).dev = [];
    }).toThrow(TypeError);
    expect(() => {
      (config.profiles as string[])[0] = 'net2grid';
    }).toThrow(TypeError);
    expect(config.roles).toEqual({ ops: ['read'] });
    expect(config.profiles).toEqual(['edrv']);
    // The caller's objects stay its own, and mutable.
    roles.ops.push('write');
    expect(config.roles.ops).toEqual(['read']);
    expect(Object.isFrozen(DEFAULTS.roles)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.profiles)).toBe(true);
  });

  it('has a default for every key of the schema but the optional ones, and nothing else', () => {
    const required: string[] = [...(ConfigSchema.required ?? [])];
    expect(Object.keys(DEFAULTS).sort()).toEqual(required.sort());
  });

  it('documents every key in docs/configuration.md with its variable and default', () => {
    const rows = new Map(
      readFileSync(configurationDoc, 'utf8')
        .split('\n')
        .map((line) => line.split('|').map((cell) => cell.trim()))
        .filter((cells) => /^`[a-z][A-Za-z]*`$/.test(cells[1] ?? ''))
        .map((cells) => [(cells[1] as string).slice(1, -1), cells]),
    );
    for (const key of Object.keys(ConfigSchema.properties)) {
      const row = rows.get(key);
      expect(row, key).toBeDefined();
      const env = `GRIDKEY_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
      // An object (roles) comes from the file only: the environment holds strings.
      const fromFileOnly = ConfigSchema.properties[key as keyof Config].type === 'object';
      if (fromFileOnly) expect(row?.[2], key).toMatch(/^— /);
      else expect(row?.[2], key).toBe(`\`${env}\``);
      const value = (DEFAULTS as Record<string, unknown>)[key];
      if (typeof value === 'number') expect(row?.[4], key).toMatch(new RegExp(`^\`${value}\``));
    }
    expect([...rows.keys()].sort()).toEqual(Object.keys(ConfigSchema.properties).sort());
  });

  it('takes flags over env over file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ port: 1111, host: '::1', logLevel: 'warn' }));
    const config = loadConfig({
      file,
      env: { GRIDKEY_PORT: '2222', GRIDKEY_LOG_LEVEL: 'debug', GRIDKEY_PROFILES: 'a, b' },
      flags: { port: 3333 },
    });
    expect(config.port).toBe(3333);
    expect(config.logLevel).toBe('debug');
    expect(config.host).toBe('::1');
    expect(config.profiles).toEqual(['a', 'b']);
  });

  it('names the key or its variable when a value is bad', () => {
    expect(() => loadConfig({ env: { GRIDKEY_PORT: 'eighty' } })).toThrow(
      /^GRIDKEY_PORT must be a whole number from 0 to 65535 \(got 'eighty'\)$/,
    );
    expect(() => loadConfig({ env: { GRIDKEY_ACCESS_TOKEN_TTL_SECONDS: '0' } })).toThrow(
      /^GRIDKEY_ACCESS_TOKEN_TTL_SECONDS must be a whole number from 1 to 86400/,
    );
    expect(() => loadConfig({ flags: { db: 'mysql://x' } })).toThrow(/^db must be a sqlite:PATH/);
  });

  it('refuses unknown keys in the file and a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-config-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ file: join(dir, 'a.json') })).toThrow(
      /^prot in .*a\.json is not a setting$/,
    );
    writeFileSync(join(dir, 'b.json'), '{');
    expect(() => loadConfig({ file: join(dir, 'b.json') })).toThrow(/is not valid JSON/);
    expect(() => loadConfig({ file: join(dir, 'none.json') })).toThrow(/cannot read config file/);
  });

  it('takes a metrics port from the flag or GRIDKEY_METRICS_PORT, validated like port', () => {
    expect(loadConfig().metricsPort).toBeUndefined();
    expect(loadConfig({ env: { GRIDKEY_METRICS_PORT: '9464' } }).metricsPort).toBe(9464);
    expect(loadConfig({ flags: { metricsPort: 9465, metricsHost: '::1' } })).toMatchObject({
      metricsPort: 9465,
      metricsHost: '::1',
    });
    expect(() => loadConfig({ env: { GRIDKEY_METRICS_PORT: '70000' } })).toThrow(
      /^GRIDKEY_METRICS_PORT must be a whole number from 0 to 65535/,
    );
    expect(() => loadConfig({ flags: { port: 9464, metricsPort: 9464 } })).toThrow(
      /metricsPort must differ from port/,
    );
    expect(() => loadConfig({ flags: { metricsHost: '127.0.0.1' } })).toThrow(
      /metricsHost needs metricsPort/,
    );
  });
});
