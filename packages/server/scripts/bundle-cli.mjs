// Bundles the built CLI (dist/cli/main.js and everything it imports) into one
// file, dist/cli/gridkey.bundle.js, which bin/gridkey.js runs. Node 20 spends
// most of a `gridkey` start resolving and reading some 1,300 modules one by
// one; from one file the same start takes well under half the CPU (measured
// in the issue 14 note), which every CLI command and every restart of
// `gridkey serve` feels. The library entry (dist/index.js) stays unbundled.
//
// Kept outside the bundle: better-sqlite3 (a native addon, loaded with its
// .node file) and pg-native (an optional addon pg asks for only when told to).
// The bundle sits at the same depth as the modules it replaces (dist/cli/), so
// paths they compute from import.meta.url (the admin page's directory) hold.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const entry = join(serverDir, 'dist/cli/main.js');
const outfile = join(serverDir, 'dist/cli/gridkey.bundle.js');
const noticesFile = join(serverDir, 'dist/cli/gridkey.bundle.licenses.txt');

if (!existsSync(entry)) {
  console.error(`bundle-cli: ${relative(process.cwd(), entry)} is missing: run tsc -b first`);
  process.exit(1);
}

const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pg-native'],
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __gridkeyCreateRequire } from 'node:module';\nconst require = __gridkeyCreateRequire(import.meta.url);",
  },
  // Not keepNames: its __name() call on every function the code creates,
  // closures made per request included, cost 13 % of the token endpoint's
  // throughput (npm run bench, 6,137 against 6,808 req/s unbundled). Names
  // stay as written but where two modules' top-level names collide (esbuild
  // then suffixes one, e.g. commander's own `CommanderError2`); nothing
  // depends on a name (errors are told apart by class and code).
  keepNames: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // The side-effect imports it would name are of type-only modules (declaration
  // merging for Fastify's types): nothing to run, nothing lost.
  logOverride: { 'ignored-bare-import': 'silent' },
});

// The bundled packages' licences travel with the bundle (most of them ask
// for their notice to go wherever their code goes).
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const parts = input.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at === -1) continue;
  const name = parts[at + 1]?.startsWith('@')
    ? `${parts[at + 1]}/${parts[at + 2]}`
    : (parts[at + 1] ?? '');
  const dir = join(process.cwd(), ...parts.slice(0, at + 1 + name.split('/').length));
  packages.set(name, dir);
}
const notices = [...packages]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, dir]) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const licenceFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = licenceFile
      ? readFileSync(join(dir, licenceFile), 'utf8').trim()
      : `(no licence file; package.json says ${manifest.license ?? 'nothing'})`;
    return `${name}@${manifest.version} (${manifest.license ?? 'unknown'})\n\n${text}\n`;
  });
writeFileSync(
  noticesFile,
  `Third-party code bundled into gridkey.bundle.js\n${'='.repeat(48)}\n\n${notices.join(`\n${'-'.repeat(72)}\n\n`)}`,
);
const rel = (p) => relative(process.cwd(), p).split(sep).join('/');
console.log(
  `bundle-cli: ${rel(outfile)} (${packages.size} packages; notices in ${rel(noticesFile)})`,
);
