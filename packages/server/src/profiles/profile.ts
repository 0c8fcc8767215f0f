import type { OAuthError } from '../errors.js';

/** The fields of an RFC 6749 §5.1 token response, before a profile reshapes them. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  [extra: string]: unknown;
}

export interface ErrorResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/**
 * A named preset over the one core: which paths it serves and how it shapes
 * what the core produces. A profile configures and reshapes; it never
 * reaches into a grant's internals.
 */
export interface Profile {
  readonly name: string;
  /** Token endpoint paths this profile serves. */
  readonly tokenPaths: readonly string[];
  /** Access-token lifetime for clients registered without their own. */
  readonly accessTokenTtlSeconds?: number;
  /** Reshapes a successful token response. */
  shapeTokenResponse?(response: TokenResponse): Record<string, unknown>;
  /** Reshapes an OAuth error answered on this profile's paths. */
  shapeError?(error: OAuthError, standard: ErrorResponse): ErrorResponse;
}
