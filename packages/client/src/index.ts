export {
  isTokenRequestError,
  TOKEN_REQUEST_ERROR_CODES,
  TokenRequestError,
  type TokenRequestErrorCode,
} from './errors.js';
export type { TokenClientEvent } from './events.js';
export type {
  ApiKeyOptions,
  ClientCredentials,
  CommonOptions,
  LoginTokenOptions,
  PasswordOptions,
  TokenClientOptions,
} from './options.js';
export { EDRV_AUDIENCE, type ProfileName, type ProfileOptions } from './profiles.js';
export { type GetTokenOptions, TokenClient } from './token-client.js';
