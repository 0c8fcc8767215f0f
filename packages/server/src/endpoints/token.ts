import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateClient, presentedClientId } from '../clients/authenticate-client.js';
import {
  OAuthError,
  TooManyRequestsError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from '../errors.js';
import type { Grant } from '../grants/grant.js';
import { createGrants } from '../grants/index.js';
import type { TokenPathDialect } from '../grants/token-response.js';
import { TokenReuseCache } from '../grants/token-reuse.js';
import type { Gridkey } from '../gridkey.js';
import type { ErrorDialect } from '../http/error-response.js';
import { FormParams } from '../http/form-params.js';
import { postRoute } from '../http/post-route.js';
import { noteRefusal, usernameForLog } from '../http/refusal-log.js';
import type { UsageRecorder } from '../lib/usage-recorder.js';
import type { ServerLimits } from '../limits/server-limits.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ClientRecord } from '../store/types.js';

/** What the profile serving a token path changes there (profiles/ fills it). */
export type TokenPathProfile = TokenPathDialect & ErrorDialect;

export interface TokenEndpointDeps {
  gk: Gridkey;
  limits: ServerLimits;
  issuer: () => string;
  clientUsage: UsageRecorder;
  metrics: Metrics;
}

/** The client's budget, shared by every path and profile (and every node, through Redis). */
async function spendTokenBudget(deps: TokenEndpointDeps, client: ClientRecord): Promise<void> {
  const points = client.tokenBudgetPerMinute ?? deps.gk.config.clientTokensPerMinute;
  const wait = await deps.limits.tokenBudget(points).spend(client.clientId);
  if (wait !== undefined) {
    throw new TooManyRequestsError(
      'token request budget exceeded: reuse the token until it expires',
      wait,
    );
  }
}

/** RFC 6749 §5.1: token responses must not be cached. */
const NO_STORE = Object.freeze({ 'cache-control': 'no-store', pragma: 'no-cache' });

/**
 * The response headers: no-store, and RFC 9745 `Deprecation` and RFC 8594
 * `Sunset` for a client being phased out.
 */
function responseHeaders(client: ClientRecord): Readonly<Record<string, string>> {
  if (client.deprecatedAt === null) return NO_STORE;
  return {
    ...NO_STORE,
    deprecation: `@${client.deprecatedAt}`,
    ...(client.sunsetAt === null ? {} : { sunset: new Date(client.sunsetAt * 1000).toUTCString() }),
  };
}

/**
 * RFC 6749 §3.2 token endpoint. One try block runs the checks in the order
 * docs/http-api.md ("Checks and errors") lists them, and the first refusal
 * leaves through the catch, which counts it and notes for the refusal log
 * what was learnt so far (grant type, client, hashed username).
 */
async function handleTokenRequest(
  deps: TokenEndpointDeps,
  grants: ReadonlyMap<string, Grant>,
  req: FastifyRequest,
  reply: FastifyReply,
  profile: TokenPathProfile,
) {
  const { gk } = deps;
  let grantLabel = 'unknown';
  let clientId: string | undefined;
  let params: FormParams | undefined;
  try {
    params = FormParams.from(req.headers['content-type'], req.body);
    const grantType = params.require('grant_type');
    grantLabel = grants.has(grantType) ? grantType : 'other';
    const client = await authenticateClient(gk, req.headers.authorization, params, {
      limits: deps.limits.clientAuth,
      address: req.ip,
    });
    clientId = client.clientId;
    req.clientId = clientId;
    const grant = grants.get(grantType);
    if (grant === undefined) throw new UnsupportedGrantTypeError('grant_type is not supported');
    if (!client.grantTypes.includes(grantType)) {
      throw new UnauthorizedClientError('this client may not use this grant type');
    }
    // The budget is for client_credentials issuance (the edrv seed's "excessive
    // token requests"); user grants have per-user and per-address budgets, and
    // one app client may serve many users.
    if (grantType === 'client_credentials') await spendTokenBudget(deps, client);
    const response = await grant.handle({
      client,
      params,
      profile,
      issuer: deps.issuer(),
      address: req.ip,
    });
    deps.clientUsage.record(client.clientId);
    return reply
      .headers(responseHeaders(client))
      .send(profile.shapeTokenResponse?.(response) ?? response);
  } catch (err) {
    if (err instanceof OAuthError) {
      gk.events.emit('token.request_failed', {
        grantType: grantLabel,
        error: err.error,
        ...(clientId === undefined ? {} : { clientId }),
      });
      const username = grantLabel === 'password' ? params?.get('username') : undefined;
      noteRefusal(req, {
        party: {
          grant_type: grantLabel,
          client_id: clientId ?? (params && presentedClientId(req.headers.authorization, params)),
          user: username && usernameForLog(gk.secrets.pepper, username),
        },
        ...(grantLabel === 'password' && err.error === 'invalid_grant'
          ? { failedAuthentication: 'password login failed' }
          : {}),
      });
    }
    throw err;
  }
}

export function registerTokenEndpoint(
  app: FastifyInstance,
  deps: TokenEndpointDeps,
  routes: ReadonlyMap<string, TokenPathProfile>,
) {
  const { gk } = deps;
  // The composition root of the grants: each takes its part of the node.
  const grants = createGrants({
    keys: gk.keys,
    clock: gk.clock,
    config: gk.config,
    secrets: gk.secrets,
    store: gk.store,
    users: gk.users,
    events: gk.events,
    limits: deps.limits.grants,
    reuse: new TokenReuseCache({
      clock: gk.clock,
      store: gk.store,
      maxEntries: gk.config.tokenReuseCacheMaxEntries,
    }),
  });
  for (const [path, profile] of routes) {
    // A route hook, not a check in the global one: the histogram costs
    // nothing on other routes, and the path label is fixed here.
    postRoute(
      app,
      path,
      { errorDialect: profile },
      (req, reply) => handleTokenRequest(deps, grants, req, reply, profile),
      (_req, reply, done) => {
        deps.metrics.observeTokenRequest(path, reply.statusCode, reply.elapsedTime / 1000);
        done();
      },
    );
  }
}
