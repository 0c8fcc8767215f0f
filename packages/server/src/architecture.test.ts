import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsInto, SRC, sources } from './lib/module-imports.test-helper.js';

/** The folders below the front ends: none of them may lean on the admin API. */
const CORE = ['grants', 'tokens', 'store', 'keys', 'clients', 'users', 'limits', 'audit'];

const RULES: readonly { files: () => string[]; from: string; must: string }[] = [
  {
    files: () => sources(join(SRC, 'limits')),
    from: 'grants',
    must: 'src/limits knows no grant: budgets are defined in limits/, grants spend them',
  },
  {
    files: () => sources(join(SRC, 'clients')),
    from: 'http',
    must: 'src/clients reads request parameters through its own interface, not the HTTP layer',
  },
  {
    files: () => sources(join(SRC, 'tokens')),
    from: 'clients',
    must: 'src/tokens knows no client',
  },
  {
    files: () => ['grants', 'tokens'].flatMap((folder) => sources(join(SRC, folder))),
    from: 'gridkey.js',
    must: 'grants and token kinds take what they use (their …Deps), never the whole node (gridkey.ts)',
  },
  {
    files: () => sources(join(SRC, 'grants')),
    from: 'http',
    must: 'src/grants reads request parameters through GrantParams, not the HTTP layer',
  },
  {
    files: () => [join(SRC, 'gridkey.ts'), ...CORE.flatMap((folder) => sources(join(SRC, folder)))],
    from: 'admin',
    must: 'gridkey.ts and the core import nothing from src/admin (the audit log is src/audit)',
  },
];

describe('dependencies run one way', () => {
  it.each(RULES)('$must', ({ files, from, must }) => {
    expect(importsInto(files(), from), must).toEqual([]);
  });

  it('names the offending file and import', () => {
    expect(importsInto([join(SRC, 'endpoints', 'token.ts')], 'gridkey.js')).toContain(
      'endpoints/token.ts imports ../gridkey.js',
    );
    expect(importsInto([join(SRC, 'gridkey.ts')], 'tokens')).toContain(
      'gridkey.ts imports ./tokens/pats.js',
    );
  });
});
