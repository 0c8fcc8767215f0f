// Imports a package from the repo root, falling back to packages/server: some dependencies
// (@fastify/formbody, better-sqlite3) belong to the server workspace and are only hoisted to
// the root node_modules when npm decides to.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const serverPackageJson = new URL('../packages/server/package.json', import.meta.url);

export async function importDependency(name) {
  try {
    return await import(name);
  } catch (rootError) {
    if (rootError?.code !== 'ERR_MODULE_NOT_FOUND') throw rootError;
    const resolved = createRequire(serverPackageJson).resolve(name);
    return import(pathToFileURL(resolved).href);
  }
}
