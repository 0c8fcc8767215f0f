import { clientCredentialsSource } from './flows/client-credentials.js';
import { loginTokenSource } from './flows/login-token.js';
import { passwordSource } from './flows/password.js';
import type { TokenSource } from './flows/token-source.js';
import { checkObject, checkUrl } from './lib/options.js';
import type { CommonOptions, LoginTokenOptions, PasswordOptions } from './options.js';

/**
 * The options of each preset of {@link TokenClient.forProfile}: the
 * platform's base URL, the credentials its flow needs, and the usual common
 * options. Path, client authentication, audience and response shape come
 * from the preset.
 *
 * @example
 * ```ts
 * import type { ProfileOptions } from '@gridkey/client';
 * const edrv: ProfileOptions['edrv'] = { baseUrl: 'https://auth.edrv.io', clientId, clientSecret };
 * ```
 */
export interface ProfileOptions {
  /** `POST /oauth/token`, client_secret_post, `audience` `https://api.edrv.io` unless given. */
  edrv: CommonOptions & {
    baseUrl: string | URL;
    clientId: string;
    clientSecret: string;
    scope?: string | readonly string[];
    audience?: string;
  };
  /** `POST /oauth2/token`, client_secret_basic; refusals are 403. */
  depotfinity: CommonOptions & {
    baseUrl: string | URL;
    clientId: string;
    clientSecret: string;
    scope?: string | readonly string[];
  };
  /** `POST /v2/token`, the password grant then refresh tokens, client_secret_post; `scope` answered as an array. */
  net2grid: Omit<PasswordOptions, 'tokenUrl' | 'auth'> & { baseUrl: string | URL };
  /** `POST /access_tokens`, JSON:API; the token is `data.attributes.encoded`. */
  enectiva: Omit<LoginTokenOptions, 'url'> & { baseUrl: string | URL };
}

/**
 * The platforms with a preset, as gridkey's `--profile` names them.
 *
 * @example
 * ```ts
 * import type { ProfileName } from '@gridkey/client';
 * const name: ProfileName = 'net2grid';
 * ```
 */
export type ProfileName = keyof ProfileOptions;

/**
 * The eDRV seed's audience: its API, which is what its token endpoint
 * expects; the `edrv` preset asks for it unless given another.
 *
 * @example
 * ```ts
 * import { EDRV_AUDIENCE, TokenClient } from '@gridkey/client';
 * const client = TokenClient.forProfile('edrv', { baseUrl, clientId, clientSecret, audience: EDRV_AUDIENCE });
 * ```
 */
export const EDRV_AUDIENCE = 'https://api.edrv.io';

/** `baseUrl` and a path, keeping any path prefix the base has (`https://host/ce-api` + `/v2/token`). */
function endpoint(baseUrl: unknown, path: string): string {
  const base = new URL(checkUrl(baseUrl, 'baseUrl'));
  if (base.search !== '' || base.hash !== '') {
    throw new TypeError('baseUrl must not have a query or fragment');
  }
  base.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`;
  return base.href;
}

type Preset = (options: Record<string, unknown>) => TokenSource;

const PRESETS: Record<ProfileName, Preset> = {
  // seeds/edrv-token-request.txt: id, secret and audience in the form.
  edrv: ({ baseUrl, ...rest }) =>
    clientCredentialsSource({
      audience: EDRV_AUDIENCE,
      ...rest,
      tokenUrl: endpoint(baseUrl, '/oauth/token'),
      auth: 'client_secret_post',
    }),
  // seeds/depotfinity-token-management.txt: `Authorization: Basic`.
  depotfinity: ({ baseUrl, ...rest }) =>
    clientCredentialsSource({
      ...rest,
      tokenUrl: endpoint(baseUrl, '/oauth2/token'),
      auth: 'client_secret_basic',
    }),
  // seeds/net2grid-ce-api-token.txt: every field in the form.
  net2grid: ({ baseUrl, ...rest }) =>
    passwordSource({
      ...rest,
      tokenUrl: endpoint(baseUrl, '/v2/token'),
      auth: 'client_secret_post',
    }),
  // seeds/enectiva-access-tokens.txt.
  enectiva: ({ baseUrl, ...rest }) =>
    loginTokenSource({ ...rest, url: endpoint(baseUrl, '/access_tokens') }),
};

/** The source of a preset, or a `TypeError` naming the presets there are. */
export function profileSource(name: unknown, options: unknown): TokenSource {
  if (typeof name !== 'string' || !Object.hasOwn(PRESETS, name)) {
    throw new TypeError(`profile must be one of ${Object.keys(PRESETS).join(', ')}`);
  }
  const raw = checkObject(options, `TokenClient.forProfile('${name}')`);
  for (const fixed of ['tokenUrl', 'url', 'auth']) {
    if (raw[fixed] !== undefined) {
      throw new TypeError(`${fixed} is set by the ${name} preset; give baseUrl instead`);
    }
  }
  return PRESETS[name as ProfileName](raw);
}
