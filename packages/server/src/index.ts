/**
 * gridkey as a library: open the store, build the HTTP app, or run a server
 * in-process. The command line (`gridkey`) is the usual way in; these are
 * for embedding and tests.
 *
 * @example
 * ```ts
 * import { loadConfig, startServer } from 'gridkey';
 * const server = await startServer(loadConfig({ flags: { port: 0 }, env: process.env }));
 * console.log(server.url);
 * await server.close();
 * ```
 */
export { loadConfig } from './config/load-config.js';
export type { Config } from './config/schema.js';
export { OAuthError } from './errors.js';
export { type Gridkey, openGridkey } from './gridkey.js';
export { buildApp } from './http/build-app.js';
export { createLogger } from './http/logger.js';
export { type RunningServer, startServer } from './serve.js';
