import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER, exchangeBody, JSON_API } from '../../../../../test/helpers/json-api.js';
import { storeTargets } from '../../../../../test/helpers/stores.js';
import { startTestServer, type TestServer } from '../../../../../test/helpers/test-server.js';
import { InvalidRequestError, type OAuthError, UnsupportedMediaTypeError } from '../../errors.js';
import { standardErrorResponse } from '../../http/error-response.js';
import { resolveTokenRoutes } from '../index.js';
import { readExchangeDocument } from './access-tokens.js';
import { ENECTIVA_ACCESS_TOKEN_TTL_SECONDS, enectivaClaims, enectivaExchange } from './claims.js';
import { enectivaProfile } from './index.js';
import { jsonApiErrors } from './json-api.js';

const STANDARD = {
  iss: 'https://gk.example',
  sub: 's',
  aud: 'https://gk.example',
  scope: 'meters',
  iat: 100,
  exp: 400,
  jti: 'c0f687ac6b47c3ab',
};

describe('the enectiva profile', () => {
  it('claims no token path and registers its own route', () => {
    expect(resolveTokenRoutes(['enectiva'])).toEqual(resolveTokenRoutes([]));
    expect(enectivaProfile.registerRoutes).toBeTypeOf('function');
  });

  it('issues 5-minute tokens with 16-hex ids and the seed’s claims', () => {
    expect(enectivaExchange.ttlSeconds).toBe(ENECTIVA_ACCESS_TOKEN_TTL_SECONDS);
    expect(ENECTIVA_ACCESS_TOKEN_TTL_SECONDS).toBe(300);
    expect(enectivaExchange.newTokenId()).toMatch(/^[0-9a-f]{16}$/);
    const shaped = enectivaClaims(7, ['meters', 'entity_consumptions'])(STANDARD, { number: 3 });
    expect(Object.keys(shaped)).toEqual([
      'scp',
      'jit',
      'lti',
      'sub',
      'exp',
      'key',
      'iat',
      'iss',
      'aud',
      'jti',
    ]);
    expect(shaped).toMatchObject({ scp: ['meters', 'entity_consumptions'], lti: 7, key: 3 });
    expect(enectivaExchange.claims({ id: 7, scopes: ['meters'] })(STANDARD, { number: 3 })).toEqual(
      enectivaClaims(7, ['meters'])(STANDARD, { number: 3 }),
    );
  });

  it('reads the seed’s request document and refuses others', () => {
    const token = 'a'.repeat(64);
    expect(readExchangeDocument(exchangeBody(CUSTOMER, token))).toEqual({
      customerUuid: CUSTOMER,
      loginToken: token,
    });
    expect(() => readExchangeDocument('{"data":[]}')).toThrow(InvalidRequestError);
    expect(() => readExchangeDocument('{not json')).toThrow('not valid JSON');
  });

  it('answers errors as JSON:API documents; an unparsable body of another type is a 415', () => {
    const err = new InvalidRequestError('data.type must be "login_tokens"');
    expect(jsonApiErrors.shapeError?.(err, standardErrorResponse(err))).toEqual({
      status: 400,
      body: {
        errors: [
          {
            status: '400',
            code: 'invalid_request',
            title: 'Bad Request',
            detail: 'data.type must be "login_tokens"',
          },
        ],
      },
      headers: { 'content-type': JSON_API },
    });
    const req = (type: string) => ({ headers: { 'content-type': type } }) as never;
    const parseFailure = Object.assign(new Error('bad'), { statusCode: 400 });
    expect(jsonApiErrors.mapFrameworkError?.(parseFailure, req('text/plain'))).toBeInstanceOf(
      UnsupportedMediaTypeError,
    );
    expect(jsonApiErrors.mapFrameworkError?.(parseFailure, req(JSON_API))).toBeUndefined();
    const tooLarge = Object.assign(new Error('big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(jsonApiErrors.mapFrameworkError?.(tooLarge, req('text/plain'))).toBeUndefined();
    expect(
      jsonApiErrors.mapFrameworkError?.(new InvalidRequestError('x') as OAuthError, req('x/y')),
    ).toBeUndefined();
  });
});

describe('POST /access_tokens is served with the enectiva profile only', () => {
  const servers: Record<string, TestServer> = {};
  const target = storeTargets()[0];
  beforeAll(async () => {
    if (target === undefined) throw new Error('no store target');
    servers.named = await startTestServer(target, { config: { profiles: ['enectiva'] } });
    servers.unnamed = await startTestServer(target, {
      config: { profiles: ['net2grid', 'edrv', 'depotfinity', 'kostal'] },
    });
  });
  afterAll(async () => {
    for (const server of Object.values(servers)) await server.close();
  });

  const post = (server: TestServer | undefined, url: string) =>
    server?.app.inject({
      method: 'POST',
      url,
      headers: { accept: JSON_API, 'content-type': JSON_API },
      payload: exchangeBody(CUSTOMER, 'b'.repeat(64)),
    });

  it.each(['/access_tokens', '//access_tokens'])('%s', async (path) => {
    const named = await post(servers.named, path);
    expect(named?.statusCode).toBe(401);
    expect(named?.headers['content-type']).toBe(JSON_API);
    const unnamed = await post(servers.unnamed, path);
    expect(unnamed?.statusCode).toBe(404);
    expect(unnamed?.json()).toEqual({ error: 'not_found', error_description: 'no such path' });
  });
});
