/**
 * The server's error registry. Every failure a caller can cause is an
 * `OAuthError` subclass carrying its wire `error` code (RFC 6749 §5.2,
 * RFC 6750 §3.1, RFC 7009 §2.2.1) and its HTTP status; whether its
 * description may be shown follows from the status. Anything else leaves as
 * a generic `server_error`. docs/http-api.md ("Error codes") lists every
 * code with its status, and `errors.test.ts` holds the two to each other.
 */
export abstract class OAuthError extends Error {
  abstract readonly error: string;
  abstract readonly status: number;
  /** Extra response headers (e.g. `WWW-Authenticate`). */
  readonly headers: Record<string, string> = {};
  /**
   * A 5xx class's fixed `error_description`, sent instead of `message` (which
   * only the log sees); none, the body carries the code alone.
   */
  protected readonly genericDescription: string | undefined = undefined;

  /** Whether `message` may be sent to the caller: below 500 only, so a 5xx body is always generic. */
  get expose(): boolean {
    return this.status < 500;
  }

  /** The `error_description` a response carries: `message` when exposed, else the class's fixed text. */
  get publicDescription(): string | undefined {
    return this.expose ? this.message : this.genericDescription;
  }

  constructor(description: string) {
    super(description);
    this.name = new.target.name;
  }
}

export class InvalidRequestError extends OAuthError {
  readonly error = 'invalid_request';
  readonly status = 400;
}

/** RFC 6749 §5.2: 401 with `WWW-Authenticate` when the client used the Authorization header. */
export class InvalidClientError extends OAuthError {
  readonly error = 'invalid_client';
  readonly status = 401;
  override readonly headers: Record<string, string>;

  constructor(description: string, options: { basicRealm?: string } = {}) {
    super(description);
    this.headers =
      options.basicRealm === undefined
        ? {}
        : { 'www-authenticate': `Basic realm="${options.basicRealm}"` };
  }
}

export class InvalidGrantError extends OAuthError {
  readonly error = 'invalid_grant';
  readonly status = 400;
}

export class UnauthorizedClientError extends OAuthError {
  readonly error = 'unauthorized_client';
  readonly status = 400;
}

export class UnsupportedGrantTypeError extends OAuthError {
  readonly error = 'unsupported_grant_type';
  readonly status = 400;
}

/** RFC 7009 §2.2.1: a kind of token this endpoint does not revoke (PATs, API keys). */
export class UnsupportedTokenTypeError extends OAuthError {
  readonly error = 'unsupported_token_type';
  readonly status = 400;
}

export class InvalidScopeError extends OAuthError {
  readonly error = 'invalid_scope';
  readonly status = 400;
}

/** RFC 8707 §2: an `audience`/`resource` the client may not ask for. */
export class InvalidTargetError extends OAuthError {
  readonly error = 'invalid_target';
  readonly status = 400;
}

export class PayloadTooLargeError extends OAuthError {
  readonly error = 'invalid_request';
  readonly status = 413;
}

export class NotFoundError extends OAuthError {
  readonly error = 'not_found';
  readonly status = 404;
}

export class MethodNotAllowedError extends OAuthError {
  readonly error = 'invalid_request';
  readonly status = 405;
}

export class ServerError extends OAuthError {
  readonly error = 'server_error';
  readonly status = 500;
}

/** RFC 9110 §10.2.3: whole seconds, at least one. */
const retryAfter = (seconds: number) => ({
  'retry-after': String(Math.max(1, Math.ceil(seconds))),
});

/**
 * 503 while the database cannot serve (RFC 6749 §4.1.2.1's code, which
 * clients already know to retry); `Retry-After` says when. The body says so
 * in a fixed text; `description` goes to the log only.
 */
export class TemporarilyUnavailableError extends OAuthError {
  readonly error = 'temporarily_unavailable';
  readonly status = 503;
  override readonly headers: Record<string, string>;
  protected override readonly genericDescription: string =
    'the database is unavailable; try again shortly';

  constructor(description: string, retryAfterSeconds: number) {
    super(description);
    this.headers = retryAfter(retryAfterSeconds);
  }
}

/**
 * A command-line or configuration mistake: one line on stderr, non-zero exit.
 * `publicMessage` is what the admin API shows instead: it must not repeat a
 * submitted value, so a message that quotes one passes a fixed text here.
 */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';

  constructor(
    message: string,
    readonly publicMessage: string = message,
  ) {
    super(message);
  }
}

/**
 * A value of one input field that an operation refuses. `field` is the
 * neutral name (the admin API's body field, e.g. `ttl`, `token_budget`);
 * each front end names it its own way (the CLI as `--ttl`, `--token-budget`).
 */
export class InvalidFieldError extends UsageError {
  override readonly name = 'InvalidFieldError';

  constructor(
    readonly field: string,
    /** What is wrong, after the field's name: `must be a whole number …`. */
    readonly problem: string,
    publicProblem: string = problem,
  ) {
    super(`${field} ${problem}`, `${field} ${publicProblem}`);
  }
}

/** An id that names nothing stored (CLI and admin API); the admin API shows only `publicMessage`. */
export class UnknownIdError extends Error {
  override readonly name = 'UnknownIdError';

  constructor(
    message: string,
    readonly publicMessage = 'nothing with that id exists',
  ) {
    super(message);
  }
}

/** 401 on the login-token exchange: one answer for every reason (unknown, expired, revoked, other customer). */
export class InvalidLoginTokenError extends OAuthError {
  readonly error = 'invalid_login_token';
  readonly status = 401;
}

/** JSON:API §Content Negotiation: a Content-Type other than the JSON:API media type. */
export class UnsupportedMediaTypeError extends OAuthError {
  readonly error = 'unsupported_media_type';
  readonly status = 415;
}

/** JSON:API §Content Negotiation: an Accept header that admits no JSON:API response. */
export class NotAcceptableError extends OAuthError {
  readonly error = 'not_acceptable';
  readonly status = 406;
}

/** RFC 6585 §4: too many requests; `Retry-After` says when to try again. */
export class TooManyRequestsError extends OAuthError {
  readonly error = 'too_many_requests';
  readonly status = 429;
  override readonly headers: Record<string, string>;

  constructor(
    description: string,
    readonly retryAfterSeconds: number,
  ) {
    super(description);
    this.headers = retryAfter(retryAfterSeconds);
  }
}

/** The realm of the admin API's bearer challenges. */
const ADMIN_REALM = 'gridkey-admin';

/**
 * RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E
 * (ASCII without `"` and `\`); anything else would also make Node refuse the
 * header (ERR_INVALID_CHAR) and turn the answer into a 500.
 */
const challengeText = (text: string) => text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '');

const bearerChallenge = (error: string, description: string) =>
  `Bearer realm="${ADMIN_REALM}", error="${error}", error_description="${challengeText(description)}"`;

/**
 * RFC 6750 §3.1: a request without credentials for this scheme (no
 * Authorization header, or another scheme) gets a challenge with no error
 * code; the body still says what is missing.
 */
export class BearerTokenRequiredError extends OAuthError {
  readonly error = 'invalid_token';
  readonly status = 401;
  override readonly headers: Record<string, string> = {
    'www-authenticate': `Bearer realm="${ADMIN_REALM}"`,
  };
}

/** RFC 6750 §3.1: a malformed Bearer Authorization header is `invalid_request`, 400. */
export class InvalidBearerRequestError extends OAuthError {
  readonly error = 'invalid_request';
  readonly status = 400;
  override readonly headers: Record<string, string>;

  constructor(description: string) {
    super(description);
    this.headers = { 'www-authenticate': bearerChallenge(this.error, description) };
  }
}

/** RFC 6750 §3.1: an unknown, expired, revoked or unauthorised bearer token. */
export class InvalidTokenError extends OAuthError {
  readonly error = 'invalid_token';
  readonly status = 401;
  override readonly headers: Record<string, string>;

  constructor(description: string) {
    super(description);
    this.headers = { 'www-authenticate': bearerChallenge(this.error, description) };
  }
}

/** RFC 6750 §3.1: a valid token without the privileges the request needs. */
export class InsufficientScopeError extends OAuthError {
  readonly error = 'insufficient_scope';
  readonly status = 403;
  override readonly headers: Record<string, string>;

  constructor(description: string) {
    super(description);
    this.headers = { 'www-authenticate': bearerChallenge(this.error, description) };
  }
}
