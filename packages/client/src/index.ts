export {
  isTokenRequestError,
  TOKEN_REQUEST_ERROR_CODES,
  TokenRequestError,
  type TokenRequestErrorCode,
} from './errors.js';
export type { TokenClientEvent } from './events.js';
export { type GetTokenOptions, TokenClient, type TokenClientOptions } from './token-client.js';
