import { describe, expect, it } from 'vitest';
import { errorResponse, VerifyError } from '../src/index.js';

const expired = new VerifyError('expired', 'the token has expired');
const missing = new VerifyError('missing_token', 'a bearer token is required');
const scope = new VerifyError('insufficient_scope', 'the token lacks a scope this request needs', {
  scopes: ['readings:write'],
});
const twice = new VerifyError('invalid_request', 'the request carries a token in two places');
const down = new VerifyError('unavailable', 'the token-state feed is stale');

const json = { 'content-type': 'application/json', 'cache-control': 'no-store' };
const jsonapi = { 'content-type': 'application/vnd.api+json', 'cache-control': 'no-store' };
const challenge = (attrs: string) => `Bearer realm="api"${attrs}`;

describe('error presets, byte for byte', () => {
  it('rfc6750 (the default)', () => {
    expect(errorResponse(expired)).toEqual({
      status: 401,
      headers: {
        ...json,
        'www-authenticate': challenge(
          ', error="invalid_token", error_description="the token has expired"',
        ),
      },
      body: '{"error":"invalid_token","error_description":"the token has expired"}',
    });
    // RFC 6750 §3.1: no credentials, no error code.
    expect(errorResponse(missing, 'rfc6750')).toEqual({
      status: 401,
      headers: { ...json, 'www-authenticate': 'Bearer realm="api"' },
      body: '{"error_description":"a bearer token is required"}',
    });
    expect(errorResponse(scope, 'rfc6750', { realm: 'energy' })).toEqual({
      status: 403,
      headers: {
        ...json,
        'www-authenticate':
          'Bearer realm="energy", error="insufficient_scope", ' +
          'error_description="the token lacks a scope this request needs", scope="readings:write"',
      },
      body:
        '{"error":"insufficient_scope",' +
        '"error_description":"the token lacks a scope this request needs"}',
    });
    expect(errorResponse(twice)).toEqual({
      status: 400,
      headers: {
        ...json,
        'www-authenticate': challenge(
          ', error="invalid_request", ' +
            'error_description="the request carries a token in two places"',
        ),
      },
      body:
        '{"error":"invalid_request",' +
        '"error_description":"the request carries a token in two places"}',
    });
    expect(errorResponse(down)).toEqual({
      status: 503,
      headers: { ...json, 'retry-after': '1' },
      body:
        '{"error":"temporarily_unavailable",' +
        '"error_description":"the token-state feed is stale"}',
    });
  });

  it('edrv: exactly the seed’s body for an expired token, the same shape for the rest', () => {
    const wwwExpired = challenge(
      ', error="invalid_token", error_description="the token has expired"',
    );
    expect(errorResponse(expired, 'edrv')).toEqual({
      status: 401,
      headers: { ...json, 'www-authenticate': wwwExpired },
      body: '{"ok":false,"message":"jwt expired","result":null}',
    });
    const bodies = [missing, scope, twice, down, new VerifyError('invalid_signature', 'x')].map(
      (e) => [errorResponse(e, 'edrv').status, errorResponse(e, 'edrv').body],
    );
    expect(bodies).toEqual([
      [401, '{"ok":false,"message":"jwt must be provided","result":null}'],
      [403, '{"ok":false,"message":"insufficient scope","result":null}'],
      [400, '{"ok":false,"message":"invalid request","result":null}'],
      [503, '{"ok":false,"message":"service unavailable","result":null}'],
      [401, '{"ok":false,"message":"invalid signature","result":null}'],
    ]);
  });

  it('jsonapi', () => {
    expect(errorResponse(expired, 'jsonapi')).toEqual({
      status: 401,
      headers: {
        ...jsonapi,
        'www-authenticate': challenge(
          ', error="invalid_token", error_description="the token has expired"',
        ),
      },
      body:
        '{"errors":[{"status":"401","code":"expired","title":"Expired token",' +
        '"detail":"the token has expired"}]}',
    });
    expect(errorResponse(scope, 'jsonapi').body).toBe(
      '{"errors":[{"status":"403","code":"insufficient_scope","title":"Insufficient scope",' +
        '"detail":"the token lacks a scope this request needs"}]}',
    );
  });

  it('answers anything but a VerifyError with a generic 500 that reveals nothing', () => {
    const secret = new Error('connection to db at postgres://user:pw@host failed');
    expect(errorResponse(secret)).toEqual({
      status: 500,
      headers: json,
      body: '{"error":"server_error","error_description":"internal error"}',
    });
    expect(errorResponse(secret, 'edrv').body).toBe(
      '{"ok":false,"message":"internal error","result":null}',
    );
    expect(errorResponse(secret, 'jsonapi')).toEqual({
      status: 500,
      headers: jsonapi,
      body:
        '{"errors":[{"status":"500","code":"server_error","title":"Internal error",' +
        '"detail":"internal error"}]}',
    });
  });

  it('keeps quotes out of the challenge and refuses a bad style or realm', () => {
    const quoted = new VerifyError('malformed', 'a "quoted" \\ thing');
    expect(errorResponse(quoted).headers['www-authenticate']).toBe(
      `Bearer realm="api", error="invalid_token", error_description="a 'quoted' ' thing"`,
    );
    expect(() => errorResponse(expired, 'html' as never)).toThrow(TypeError);
    expect(() => errorResponse(expired, 'rfc6750', { realm: 'a"b' })).toThrow(TypeError);
  });
});
