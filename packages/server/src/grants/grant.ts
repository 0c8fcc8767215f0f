import type { Gridkey } from '../gridkey.js';
import type { FormParams } from '../http/form-params.js';
import type { Limiter } from '../limits/limiter.js';
import type { ClientRecord } from '../store/types.js';
import type { TokenPathDialect, TokenResponse } from './token-response.js';
import type { TokenReuseCache } from './token-reuse.js';

export interface GrantContext {
  gk: Gridkey;
  client: ClientRecord;
  params: FormParams;
  /** The dialect of the path the request came in on. */
  profile: TokenPathDialect;
  issuer: string;
  /** The caller's address, for per-address budgets. */
  address: string;
  limits: GrantLimits;
  reuse: TokenReuseCache;
}

/** Budgets the user grants spend; one set per server. */
export interface GrantLimits {
  /** Over it, an address is refused (429) before anything is checked. */
  passwordFailuresByAddress: Limiter;
  /** Over it, a username's guesses are throttled, never its owner refused. */
  passwordFailuresByUsername: Limiter;
  /** Keyed by address and username: which addresses a throttled username still hears. */
  passwordFailuresByUsernameAndAddress: Limiter;
  /** Refresh-grant requests per user a minute: each one is a durable write. */
  refreshGrantsByUser: Limiter;
}

/** One grant type of the token endpoint (node-oidc-provider's layout: one file per grant). */
export interface Grant {
  readonly grantType: string;
  handle(ctx: GrantContext): Promise<TokenResponse>;
}
