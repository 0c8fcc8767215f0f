import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isVerifyError } from './errors.js';
import { authenticate, errorResponse } from './index.js';
import { checkCallOptions } from './lib/call-options.js';
import { checkErrorStyle, checkRealm, type ErrorStyle } from './lib/error-presets.js';
import type { PatInterface, VerifiedToken, Verifier } from './types.js';

/**
 * Options of `requireToken`.
 *
 * @example
 * ```ts
 * import type { RequireTokenOptions } from '@gridkey/verify/express';
 * const options: RequireTokenOptions = { scopes: ['readings:write'], errorStyle: 'jsonapi' };
 * ```
 */
export interface RequireTokenOptions {
  scopes?: readonly string[];
  interface?: PatInterface;
  /** Default `rfc6750`. */
  errorStyle?: ErrorStyle;
  /** The challenge's realm. Default `api`. */
  realm?: string;
}

declare global {
  namespace Express {
    interface Request {
      /** Set by `requireToken` once the token verified. */
      gridkey?: VerifiedToken;
    }
  }
}

/**
 * Express middleware: verifies the request's token, sets `req.gridkey` and
 * calls `next()`; a refusal is answered in the chosen preset. Anything that
 * is not a refusal goes to `next(err)`, for the app's error handler.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createVerifier } from '@gridkey/verify';
 * import { requireToken } from '@gridkey/verify/express';
 *
 * const verifier = createVerifier({ issuer: 'https://auth.example.com' });
 * const app = express();
 * app.get('/meters', requireToken(verifier, { scopes: ['meters:read'] }), (req, res) => {
 *   res.json({ owner: req.gridkey?.subject });
 * });
 * ```
 */
export function requireToken(
  verifier: Verifier,
  options: RequireTokenOptions = {},
): RequestHandler {
  if (typeof verifier?.verify !== 'function') {
    throw new TypeError('requireToken: verifier must be a Verifier from createVerifier()');
  }
  const { errorStyle, realm, ...call } = options;
  const checked = checkCallOptions(call, 'requireToken: options');
  const style = checkErrorStyle(errorStyle ?? 'rfc6750', 'requireToken: options.errorStyle');
  const challengeRealm = checkRealm(realm ?? 'api', 'requireToken: options.realm');
  return (req: Request, res: Response, next: NextFunction) => {
    authenticate(req, verifier, checked).then(
      (token) => {
        req.gridkey = token;
        next();
      },
      (err: unknown) => {
        if (!isVerifyError(err)) {
          next(err);
          return;
        }
        const answer = errorResponse(err, style, { realm: challengeRealm, scopes: checked.scopes });
        // Not res.set()/send(): Express appends `; charset=utf-8` to the
        // Content-Type, which JSON:API's media type forbids.
        res.status(answer.status);
        for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
        res.end(answer.body);
      },
    );
  };
}
