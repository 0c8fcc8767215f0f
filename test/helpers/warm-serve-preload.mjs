// Loaded with `node --import` before `gridkey serve`: loads the CLI's modules
// (the slow part of a start), then holds the command back until a line
// arrives on stdin. A test can so keep the next server warm while the
// current one runs, and restart it in a fraction of a cold start.
const commands = new URL('../../packages/server/dist/cli/commands/', import.meta.url);
const names = [
  'apikey',
  'client',
  'inspect',
  'keys',
  'login-token',
  'pat',
  'serve',
  'token',
  'user',
];
// `serve` loads the HTTP stack, and the store its dialect's driver, only when
// run: loaded here too, so that a warm start pays for neither.
const dist = new URL('../../packages/server/dist/', import.meta.url);
const modules = ['serve.js', 'store/sqlite/open-sqlite.js', 'store/postgres/open-postgres.js'];
await Promise.all([
  ...names.map((name) => import(new URL(`${name}.js`, commands).href)),
  ...modules.map((path) => import(new URL(path, dist).href)),
]);
process.stderr.write('gridkey warm\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
