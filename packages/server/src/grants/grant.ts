import type { Gridkey } from '../gridkey.js';
import type { FormParams } from '../http/form-params.js';
import type { GrantLimits } from '../limits/grant-limits.js';
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

/** One grant type of the token endpoint (node-oidc-provider's layout: one file per grant). */
export interface Grant {
  readonly grantType: string;
  handle(ctx: GrantContext): Promise<TokenResponse>;
}
