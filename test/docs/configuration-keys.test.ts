import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../packages/server/src/config/schema.js';

// A key added to the schema must get its row in docs/configuration.md (as
// `roles` and `patDefaultTtlSeconds` once did not), and a row must not
// outlive its key.
describe('docs/configuration.md', async () => {
  const doc = await readFile(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| `([a-zA-Z]+)` *\|/gm)].map((m) => m[1]);
  const keys = Object.keys(ConfigSchema.properties);

  it('has a row for every configuration key', () => {
    expect(keys.filter((key) => !rows.includes(key))).toEqual([]);
  });

  it('has no row for a key that does not exist', () => {
    expect(rows.filter((row) => row !== undefined && !keys.includes(row))).toEqual([]);
  });
});
