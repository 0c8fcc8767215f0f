import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/server/src, the root the architecture tests read. */
export const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every `.ts` file under a folder (tests included: they must keep the rules too). */
export const sources = (dir: string): string[] =>
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

/** Whether an absolute path is `dir` or lies inside it. */
export const isWithin = (path: string, dir: string): boolean =>
  path === dir || path.startsWith(dir + sep);

/**
 * The relative imports of `files` that resolve into `forbidden` (a folder
 * under src), each as `<file> imports <specifier>`.
 */
export function importsInto(files: readonly string[], forbidden: string): string[] {
  const target = join(SRC, forbidden);
  const offending: string[] = [];
  for (const file of files) {
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      if (isWithin(resolve(dirname(file), specifier), target)) {
        offending.push(`${relative(SRC, file)} imports ${specifier}`);
      }
    }
  }
  return offending;
}
