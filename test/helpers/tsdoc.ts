import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * Every export of a package's public entry points (its `exports` map), and
 * every public method of an exported class, that has no TSDoc `@example`.
 * STYLE.md asks for one on each; this finds the ones that slipped.
 */
export function exportsWithoutExample(packageDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { types?: string }>;
  };
  const entries = Object.values(manifest.exports)
    .map((e) => (typeof e === 'string' ? undefined : e.types))
    .filter((t): t is string => t !== undefined)
    .map((t) => join(packageDir, t.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts')));
  const program = ts.createProgram(entries, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const hasExample = (node: ts.Node) =>
    ts.getJSDocTags(node).some((t) => t.tagName.text === 'example');
  const missing = new Set<string>();
  for (const entry of entries) {
    const source = program.getSourceFile(entry);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) throw new Error(`cannot read ${entry}`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      for (const declaration of symbol.declarations ?? []) {
        const node = ts.isVariableDeclaration(declaration)
          ? declaration.parent.parent
          : declaration;
        if (!hasExample(node)) missing.add(exported.name);
        if (!ts.isClassDeclaration(declaration)) continue;
        for (const member of declaration.members) {
          const isPublicMethod =
            ts.isMethodDeclaration(member) &&
            !ts.isPrivateIdentifier(member.name) &&
            !(
              ts.getCombinedModifierFlags(member) &
              (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)
            );
          if (isPublicMethod && !hasExample(member)) {
            missing.add(`${exported.name}.${member.name.getText()}`);
          }
        }
      }
    }
  }
  return [...missing].sort();
}
