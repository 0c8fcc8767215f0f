import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from './defaults.js';
import { loadConfig } from './load-config.js';

describe('loadConfig', () => {
  it('starts from the defaults and freezes the result', () => {
    const config = loadConfig();
    expect(config.port).toBe(DEFAULTS.port);
    expect(config.accessTokenTtlSeconds).toBe(3600);
    expect(Object.isFrozen(config)).toBe(true);
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

  it('names the key and its variable when a value is bad', () => {
    expect(() => loadConfig({ env: { GRIDKEY_PORT: 'eighty' } })).toThrow(
      /^invalid configuration: port \(env GRIDKEY_PORT\): /,
    );
    expect(() => loadConfig({ env: { GRIDKEY_ACCESS_TOKEN_TTL_SECONDS: '0' } })).toThrow(
      /accessTokenTtlSeconds \(env GRIDKEY_ACCESS_TOKEN_TTL_SECONDS\)/,
    );
    expect(() => loadConfig({ flags: { db: 'mysql://x' } })).toThrow(/invalid configuration: db/);
  });

  it('refuses unknown keys in the file and a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-config-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ file: join(dir, 'a.json') })).toThrow(/invalid configuration: prot/);
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
      /^invalid configuration: metricsPort \(env GRIDKEY_METRICS_PORT\): /,
    );
    expect(() => loadConfig({ flags: { port: 9464, metricsPort: 9464 } })).toThrow(
      /metricsPort must differ from port/,
    );
    expect(() => loadConfig({ flags: { metricsHost: '127.0.0.1' } })).toThrow(
      /metricsHost needs metricsPort/,
    );
  });
});
