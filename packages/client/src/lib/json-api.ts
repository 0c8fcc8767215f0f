import { jwtLifetimeMs } from './jwt-lifetime.js';
import type { TokenDialect, TokenHttpRequest } from './token-request.js';

/** The JSON:API media type (jsonapi.org §5.1), for both request and answer. */
export const JSON_API_TYPE = 'application/vnd.api+json';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Enectiva seed's exchange: a `login_tokens` document POSTed as JSON:API. */
export function loginTokenRequest(
  url: string,
  customerUuid: string,
  loginToken: string,
): TokenHttpRequest {
  const document = {
    data: {
      type: 'login_tokens',
      attributes: { customer_uuid: customerUuid, login_token: loginToken },
    },
  };
  return {
    url,
    headers: { accept: JSON_API_TYPE, 'content-type': JSON_API_TYPE },
    body: JSON.stringify(document),
  };
}

/**
 * `201 {"data":{"type":"access_tokens","attributes":{"encoded":"<JWT>"}}}`:
 * no `expires_in`, so the lifetime is read from the JWT. Errors are
 * JSON:API's `errors[]`, of which the first `code` is the OAuth error.
 */
export const jsonApiDialect: TokenDialect = {
  readToken(json) {
    const data = json?.data;
    if (!isObject(data) || data.type !== 'access_tokens' || !isObject(data.attributes)) {
      return undefined;
    }
    const value = data.attributes.encoded;
    if (typeof value !== 'string' || value === '') return undefined;
    return { value, lifetimeMs: jwtLifetimeMs(value), refreshToken: undefined };
  },
  readError(json) {
    const first = Array.isArray(json?.errors) ? (json.errors as unknown[])[0] : undefined;
    if (!isObject(first)) return { error: undefined, description: undefined };
    return {
      error: typeof first.code === 'string' ? first.code : undefined,
      description: typeof first.detail === 'string' ? first.detail : undefined,
    };
  },
};
