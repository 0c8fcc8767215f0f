import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const issuer = { GRIDKEY_URL: 'http://127.0.0.1:8080' };

describe('loadConfig', () => {
  it('applies the defaults around a required issuer', () => {
    expect(loadConfig(issuer)).toEqual({
      issuer: 'http://127.0.0.1:8080',
      host: '127.0.0.1',
      port: 8081,
      dbPath: './.energy-api/energy.db',
      errorStyle: 'rfc6750',
      verify: true,
      logLevel: 'info',
    });
  });

  it('reads every variable, and freezes the result', () => {
    const config = loadConfig({
      GRIDKEY_URL: 'https://auth.example.com/',
      HOST: '0.0.0.0',
      PORT: '0',
      ENERGY_DB: ':memory:',
      GRIDKEY_ERROR_STYLE: 'jsonapi',
      GRIDKEY_CLIENT_ID: 'id',
      GRIDKEY_CLIENT_SECRET: 'secret',
      ENERGY_API_VERIFY: 'off',
      LOG_LEVEL: 'warn',
    });
    expect(config).toEqual({
      issuer: 'https://auth.example.com',
      host: '0.0.0.0',
      port: 0,
      dbPath: ':memory:',
      errorStyle: 'jsonapi',
      verify: false,
      logLevel: 'warn',
      introspection: { clientId: 'id', clientSecret: 'secret' },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.introspection)).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ ...issuer, PORT: '', GRIDKEY_ERROR_STYLE: '' }).port).toBe(8081);
  });

  it.each([
    [{}, 'GRIDKEY_URL is required: the gridkey issuer, e.g. GRIDKEY_URL=http://127.0.0.1:8080'],
    [
      { GRIDKEY_URL: '127.0.0.1:8080' },
      'GRIDKEY_URL must be an http(s) URL, e.g. http://127.0.0.1:8080',
    ],
    [
      { GRIDKEY_URL: 'ftp://127.0.0.1' },
      'GRIDKEY_URL must be an http(s) URL with no query or fragment',
    ],
    [
      { GRIDKEY_URL: 'http://127.0.0.1:8080/?x=1' },
      'GRIDKEY_URL must be an http(s) URL with no query or fragment',
    ],
    [
      { ...issuer, GRIDKEY_ERROR_STYLE: 'json-api' },
      'GRIDKEY_ERROR_STYLE must be one of rfc6750, edrv, jsonapi, got "json-api"',
    ],
    [{ ...issuer, PORT: '80a' }, 'PORT must be a whole number from 0 to 65535, got "80a"'],
    [{ ...issuer, PORT: '65536' }, 'PORT must be a whole number from 0 to 65535, got "65536"'],
    [
      { ...issuer, GRIDKEY_CLIENT_ID: 'id' },
      'GRIDKEY_CLIENT_ID and GRIDKEY_CLIENT_SECRET must be set together (for API-key introspection) or not at all',
    ],
    [{ ...issuer, ENERGY_API_VERIFY: 'no' }, 'ENERGY_API_VERIFY must be on or off, got "no"'],
    [
      { ...issuer, LOG_LEVEL: 'verbose' },
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
    ],
  ])('refuses %o with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });
});
