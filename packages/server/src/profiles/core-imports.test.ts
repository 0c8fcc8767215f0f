import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSpecifiers, importsInto, SRC, sources } from '../lib/module-imports.test-helper.js';

/** The core: it offers extension points and never imports a profile. */
const CORE = ['grants', 'tokens', 'store', 'keys', 'clients', 'users'];

describe('the core never imports a profile', () => {
  it('reads the specifiers it must', () => {
    expect(
      importSpecifiers(
        "import type { A } from '../profiles/profile.js';\nexport { b } from \"./b.js\";\nimport './c.js';\nawait import('../d.js');",
      ),
    ).toEqual(['../profiles/profile.js', './b.js', './c.js', '../d.js']);
  });

  it.each(CORE)('src/%s imports nothing from src/profiles', (folder) => {
    expect(
      importsInto(sources(join(SRC, folder)), 'profiles'),
      `src/${folder} must not import a profile`,
    ).toEqual([]);
  });
});
