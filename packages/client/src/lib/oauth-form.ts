import { jwtLifetimeMs } from './jwt-lifetime.js';
import type { ClientAuth } from './options.js';
import type { TokenDialect, TokenHttpRequest } from './token-request.js';

// RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding.
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** A form POST to an RFC 6749 token endpoint, the client authenticated as `client.auth` says. */
export function oauthFormRequest(
  url: string,
  client: ClientAuth,
  params: Record<string, string | undefined>,
): TokenHttpRequest {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) form.set(name, value);
  }
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (client.auth === 'client_secret_basic') {
    const pair = `${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  }
  return { url, headers, body: form.toString() };
}

/**
 * RFC 6749 §5.1 answers, checked before they are trusted; `scope` is not
 * read, so NET2GRID's array and everyone else's string both pass. Errors are
 * §5.2 `error` and `error_description`.
 */
export const oauthDialect: TokenDialect = {
  readToken(json) {
    const value = str(json?.access_token);
    const type = str(json?.token_type);
    // RFC 6749 §7.1: token_type is case-insensitive; only Bearer is usable here.
    if (value === undefined || value === '' || type?.toLowerCase() !== 'bearer') return undefined;
    const expiresIn = json?.expires_in;
    const refresh = str(json?.refresh_token);
    return {
      value,
      lifetimeMs:
        typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
          ? expiresIn * 1000
          : jwtLifetimeMs(value),
      refreshToken: refresh === '' ? undefined : refresh,
    };
  },
  readError(json) {
    return { error: str(json?.error), description: str(json?.error_description) };
  },
};
