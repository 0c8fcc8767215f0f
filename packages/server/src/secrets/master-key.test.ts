import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { openGridkey } from '../gridkey.js';
import { loadMasterKey } from './master-key.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'gk-master-'));

describe('master key', () => {
  it('is created once as a 0600 file and read back', () => {
    const dir = tempDir();
    const first = loadMasterKey({ env: {}, dataDir: dir, create: true });
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(loadMasterKey({ env: {}, dataDir: dir, create: false })).toEqual(first);
  });

  it('comes from GRIDKEY_MASTER_KEY when set, hex or base64, and must be 32 bytes', () => {
    const key = randomBytes(32);
    expect(
      loadMasterKey({
        env: { GRIDKEY_MASTER_KEY: key.toString('hex') },
        dataDir: tempDir(),
        create: false,
      }),
    ).toEqual(key);
    expect(
      loadMasterKey({
        env: { GRIDKEY_MASTER_KEY: key.toString('base64') },
        dataDir: tempDir(),
        create: false,
      }),
    ).toEqual(key);
    expect(() =>
      loadMasterKey({ env: { GRIDKEY_MASTER_KEY: 'short' }, dataDir: tempDir(), create: false }),
    ).toThrow(/32 bytes/);
  });

  it('refuses a key file others can read', () => {
    const dir = tempDir();
    loadMasterKey({ env: {}, dataDir: dir, create: true });
    chmodSync(join(dir, 'master.key'), 0o644);
    expect(() => loadMasterKey({ env: {}, dataDir: dir, create: false })).toThrow(
      /readable by others/,
    );
  });

  it('refuses to open a database with another master key', async () => {
    const dir = tempDir();
    const config = loadConfig({ flags: { dataDir: dir } });
    await (await openGridkey(config, { env: {} })).close();
    const other = { GRIDKEY_MASTER_KEY: randomBytes(32).toString('hex') };
    await expect(openGridkey(config, { env: other })).rejects.toThrow(
      'the master key does not match the one this database was set up with',
    );
  });
});
