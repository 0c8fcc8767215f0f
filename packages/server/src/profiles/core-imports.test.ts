import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PROFILES = join(SRC, 'profiles');
/** The core: it offers extension points and never imports a profile. */
const CORE = ['grants', 'tokens', 'store', 'keys', 'clients', 'users'];

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });

/** Every module specifier of a file: `from '…'`, `import '…'`, `import('…')`, `export … from '…'`. */
export function importSpecifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) found.push(match[1] as string);
  }
  return found;
}

describe('the core never imports a profile', () => {
  it('reads the specifiers it must', () => {
    expect(
      importSpecifiers(
        "import type { A } from '../profiles/profile.js';\nexport { b } from \"./b.js\";\nimport './c.js';\nawait import('../d.js');",
      ),
    ).toEqual(['../profiles/profile.js', './b.js', './c.js', '../d.js']);
  });

  it.each(CORE)('src/%s imports nothing from src/profiles', (folder) => {
    const offending: string[] = [];
    for (const file of sources(join(SRC, folder))) {
      for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
        if (!specifier.startsWith('.')) continue;
        const target = resolve(dirname(file), specifier);
        if (target === PROFILES || target.startsWith(PROFILES + sep)) {
          offending.push(`${relative(SRC, file)} imports ${specifier}`);
        }
      }
    }
    expect(offending, `src/${folder} must not import a profile`).toEqual([]);
  });
});
