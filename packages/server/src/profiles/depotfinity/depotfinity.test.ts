import { describe, expect, it } from 'vitest';
import {
  InvalidClientError,
  InvalidRequestError,
  ServerError,
  TooManyRequestsError,
} from '../../errors.js';
import { standardErrorResponse } from '../../http/error-response.js';
import { resolveTokenRoutes } from '../index.js';
import { depotfinityProfile } from './index.js';

const shape = (
  err: InvalidRequestError | InvalidClientError | ServerError | TooManyRequestsError,
) => depotfinityProfile.shapeError?.(err, standardErrorResponse(err));

describe('the depotfinity profile', () => {
  it('takes /oauth2/token with 24-hour tokens', () => {
    expect(resolveTokenRoutes(['depotfinity']).get('/oauth2/token')).toBe(depotfinityProfile);
    expect(depotfinityProfile.accessTokenTtlSeconds).toBe(86400);
    expect(depotfinityProfile.registerRoutes).toBeUndefined();
  });

  it('answers an invalid request 403 with the RFC 6749 body, without a Basic challenge', () => {
    expect(shape(new InvalidRequestError('grant_type is missing'))).toEqual({
      status: 403,
      body: { error: 'invalid_request', error_description: 'grant_type is missing' },
      headers: {},
    });
    const unauthenticated = shape(new InvalidClientError('no', { basicRealm: 'gridkey' }));
    expect(unauthenticated?.status).toBe(403);
    expect(unauthenticated?.headers).not.toHaveProperty('www-authenticate');
  });

  it('keeps 429 and 5xx as they are', () => {
    const busy = new TooManyRequestsError('slow down', 7);
    expect(shape(busy)).toEqual(standardErrorResponse(busy));
    const failed = new ServerError('internal error');
    expect(shape(failed)).toEqual(standardErrorResponse(failed));
  });
});
