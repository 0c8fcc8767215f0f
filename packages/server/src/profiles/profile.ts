import type { FastifyInstance } from 'fastify';
import type { OAuthError } from '../errors.js';
import type { TokenPathDialect, TokenResponse } from '../grants/token-response.js';
import type { Gridkey } from '../gridkey.js';
import type { ErrorDialect, ErrorResponse } from '../http/error-response.js';
import type { ServerLimits } from '../limits/server-limits.js';

export type { TokenResponse } from '../grants/token-response.js';
export type { ErrorResponse } from '../http/error-response.js';

/** What a profile's own routes may use: the opened core, the issuer, the server's budgets. */
export interface ProfileServices {
  readonly gk: Gridkey;
  /** The issuer of the request being answered. */
  readonly issuer: () => string;
  readonly limits: ServerLimits;
}

/**
 * A named preset over the one core: which token paths it serves, how it
 * shapes what the core produces there, and the routes of its own. A profile
 * configures and reshapes through the core's extension points
 * ({@link TokenPathDialect}, {@link ErrorDialect}, the exchange dialect of
 * grants/login-token-exchange.ts); it never reaches into a grant's
 * internals, and the core never imports a profile. A profile that is not
 * named serves nothing of its own.
 */
export interface Profile extends TokenPathDialect, ErrorDialect {
  readonly name: string;
  /** Token endpoint paths this profile serves. */
  readonly tokenPaths: readonly string[];
  /** Access-token lifetime for clients registered without their own. */
  readonly accessTokenTtlSeconds?: number;
  /** Reshapes a successful token response. */
  shapeTokenResponse?(response: TokenResponse): Record<string, unknown>;
  /** Reshapes an OAuth error answered on this profile's token paths. */
  shapeError?(error: OAuthError, standard: ErrorResponse): ErrorResponse;
  /** Registers the routes of this profile's own, when it is named. */
  registerRoutes?(app: FastifyInstance, services: ProfileServices): Promise<void>;
}
