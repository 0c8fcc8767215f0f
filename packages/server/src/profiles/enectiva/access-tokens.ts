import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { InvalidRequestError } from '../../errors.js';
import { exchangeLoginToken } from '../../grants/login-token-exchange.js';
import { hasDuplicateNames } from '../../http/json-duplicate-names.js';
import { postRoute } from '../../http/post-route.js';
import { noteRefusal } from '../../http/refusal-log.js';
import { canonicalUuid } from '../../lib/uuid.js';
import { LOGIN_TOKEN_FORMAT } from '../../tokens/login-tokens.js';
import type { ProfileServices } from '../profile.js';
import { enectivaExchange } from './claims.js';
import {
  assertAcceptsJsonApi,
  assertJsonApiContentType,
  JSON_API_TYPE,
  jsonApiErrors,
} from './json-api.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The request document of the seed: `data.type: login_tokens` with customer_uuid and login_token. */
export function readExchangeDocument(text: unknown): { customerUuid: string; loginToken: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof text === 'string' ? text : '');
  } catch {
    throw new InvalidRequestError('the request body is not valid JSON');
  }
  if (hasDuplicateNames(text as string)) {
    throw new InvalidRequestError('the document repeats a member name within one object');
  }
  const data = isObject(doc) ? doc.data : undefined;
  if (!isObject(data)) throw new InvalidRequestError('the document must have a data object');
  if (data.type !== 'login_tokens')
    throw new InvalidRequestError('data.type must be "login_tokens"');
  const attributes = data.attributes;
  if (!isObject(attributes)) throw new InvalidRequestError('data.attributes must be an object');
  const customerUuid = canonicalUuid(attributes.customer_uuid);
  if (customerUuid === undefined) {
    throw new InvalidRequestError('data.attributes.customer_uuid must be a UUID');
  }
  const loginToken = attributes.login_token;
  if (typeof loginToken !== 'string' || !LOGIN_TOKEN_FORMAT.test(loginToken)) {
    throw new InvalidRequestError(
      'data.attributes.login_token must be 64 lowercase hex characters',
    );
  }
  return { customerUuid, loginToken };
}

/**
 * `POST /access_tokens` and `POST //access_tokens` (seeds/enectiva-access-tokens.txt):
 * a JSON:API exchange of a long-lived login token for a 5-minute access token.
 */
export async function registerAccessTokensEndpoint(
  app: FastifyInstance,
  { gk, issuer, limits }: ProfileServices,
): Promise<void> {
  const exchangeDeps = {
    keys: gk.keys,
    clock: gk.clock,
    loginTokens: gk.loginTokens,
    store: gk.store,
    events: gk.events,
    limits: limits.exchange,
  };
  await app.register(async (scope) => {
    scope.addContentTypeParser(JSON_API_TYPE, { parseAs: 'string' }, (_req, body, done) =>
      done(null, body),
    );
    const exchange: RouteHandlerMethod = async (req, reply) => {
      assertJsonApiContentType(req.headers['content-type']);
      assertAcceptsJsonApi(req.headers.accept);
      const { customerUuid, loginToken } = readExchangeDocument(req.body);
      noteRefusal(req, { party: { customer_uuid: customerUuid } });
      const { id, encoded } = await exchangeLoginToken(exchangeDeps, enectivaExchange, {
        customerUuid,
        loginToken,
        address: req.ip,
        issuer: issuer(),
      });
      const document = { data: { type: 'access_tokens', id, attributes: { encoded } } };
      return reply
        .code(201)
        .headers({ 'content-type': JSON_API_TYPE, 'cache-control': 'no-store' })
        .send(Buffer.from(JSON.stringify(document)));
    };
    // The seed's own request posts to `https://api.enectiva.cz//access_tokens`:
    // that spelling is a route of its own, since the router merges no slashes.
    for (const path of ['/access_tokens', '//access_tokens']) {
      postRoute(scope, path, { errorDialect: jsonApiErrors }, exchange);
    }
  });
}
