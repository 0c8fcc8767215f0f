import { jsonApiDialect, loginTokenRequest } from '../lib/json-api.js';
import {
  type CommonSettings,
  checkCommon,
  checkObject,
  checkUrl,
  nonEmpty,
} from '../lib/options.js';
import { postTokenRequest } from '../lib/token-request.js';
import { singleEntrySource, type TokenSource } from './token-source.js';

/** The login-token exchange of the Enectiva seed (`POST /access_tokens`, JSON:API). */
export function loginTokenSource(options: unknown): TokenSource {
  const raw = checkObject(options, 'TokenClient.loginToken');
  const settings: CommonSettings = checkCommon(raw);
  const request = loginTokenRequest(
    checkUrl(raw.url, 'url'),
    nonEmpty(raw.customerUuid, 'customerUuid'),
    nonEmpty(raw.loginToken, 'loginToken'),
  );
  const target = { scope: undefined, audience: undefined };
  return singleEntrySource(
    settings,
    target,
    (signal, emit) => postTokenRequest(request, jsonApiDialect, settings, target, signal, emit),
    'login-token',
  );
}
