import type { ClientRecord } from '../store/types.js';
import type { TokenPathDialect, TokenResponse } from './token-response.js';

/**
 * The request parameters a grant reads, already checked by the HTTP layer's
 * form parser (RFC 6749 §3.2: no repeated parameter), which grants do not know.
 */
export interface GrantParams {
  /** The value of one parameter; undefined when absent or empty (RFC 6749 §3.1). */
  get(name: string): string | undefined;
  /** The value of a required parameter; an `invalid_request` when it is missing. */
  require(name: string): string;
}

/** One token request, as a grant sees it: the client is already authenticated. */
export interface GrantRequest {
  client: ClientRecord;
  params: GrantParams;
  /** The dialect of the path the request came in on. */
  profile: TokenPathDialect;
  issuer: string;
  /** The caller's address, for per-address budgets. */
  address: string;
}

/**
 * One grant type of the token endpoint (node-oidc-provider's layout: one file
 * per grant). Each grant is made by a factory that takes only what it uses
 * (its `…Deps` interface), so it can be tested alone.
 */
export interface Grant {
  readonly grantType: string;
  handle(request: GrantRequest): Promise<TokenResponse>;
}
