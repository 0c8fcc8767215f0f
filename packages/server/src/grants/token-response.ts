/** The fields of an RFC 6749 §5.1 token response, before a profile reshapes them. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  [extra: string]: unknown;
}

/**
 * What the dialect serving a token path changes there: the extension point
 * the token endpoint and its grants offer (profiles/ fills it; the core never
 * imports a profile).
 */
export interface TokenPathDialect {
  /** Names the dialect (token reuse keeps each dialect's answers apart). */
  readonly name: string;
  /** Access-token lifetime for clients registered without their own. */
  readonly accessTokenTtlSeconds?: number;
  /** Reshapes a successful token response. */
  shapeTokenResponse?(response: TokenResponse): Record<string, unknown>;
}
