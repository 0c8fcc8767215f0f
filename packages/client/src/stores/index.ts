/**
 * Token stores: where the password flow keeps its refresh tokens between
 * renewals and shares them between the processes of one application.
 *
 * @example
 * ```ts
 * import { FileTokenStore, MemoryTokenStore, type TokenStore } from '@gridkey/client/stores';
 *
 * const store: TokenStore = process.env.TOKEN_FILE
 *   ? new FileTokenStore(process.env.TOKEN_FILE)
 *   : new MemoryTokenStore();
 * ```
 *
 * @module
 */
export * from './file-token-store.js';
export * from './token-store.js';
