import { scryptSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ScryptWorkers } from './scrypt-workers.js';

const OPTIONS = { N: 2 ** 10, r: 8, p: 1 };

describe('ScryptWorkers', () => {
  let workers: ScryptWorkers | undefined;
  afterEach(() => workers?.close());

  it('derives the same key as crypto.scrypt, with more jobs than workers', async () => {
    workers = new ScryptWorkers(2, 10);
    const salts = Array.from({ length: 5 }, (_, index) => Buffer.from(`salt-${index}`));
    const keys = await Promise.all(
      salts.map((salt) => workers?.scrypt('correct horse', salt, 32, OPTIONS)),
    );
    salts.forEach((salt, index) => {
      expect(keys[index]).toEqual(scryptSync('correct horse', salt, 32, OPTIONS));
    });
  });

  it('passes a scrypt error on and keeps working', async () => {
    workers = new ScryptWorkers(1, 0);
    // N must be a power of two.
    await expect(workers.scrypt('x', Buffer.from('s'), 32, { N: 3 })).rejects.toThrow();
    const key = await workers.scrypt('x', Buffer.from('s'), 32, OPTIONS);
    expect(key).toEqual(scryptSync('x', Buffer.from('s'), 32, OPTIONS));
  });

  it('rejects jobs after close', async () => {
    workers = new ScryptWorkers(1, 0);
    await workers.close();
    await expect(workers.scrypt('x', Buffer.from('s'), 32, OPTIONS)).rejects.toThrow('closed');
  });
});
