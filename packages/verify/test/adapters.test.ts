import { createServer, request as httpRequest, type Server } from 'node:http';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireToken } from '../src/express.js';
import { gridkeyAuth } from '../src/fastify.js';
import { authenticate, errorResponse, type Verifier } from '../src/index.js';
import { claims, type Fixture, startFixture } from './helpers.js';

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
};
const shut = (server: Server) => new Promise((r) => server.close(r));

describe('the adapters, against a real gridkey', () => {
  let fx: Fixture;
  let verifier: Verifier;
  let token: string;
  let apiKey: string;
  let expired: string;

  beforeAll(async () => {
    fx = await startFixture();
    const rs = await fx.server.client({ name: 'energy api', resourceServer: true });
    verifier = fx.verifier({ introspection: { clientId: rs.id, clientSecret: rs.secret } });
    await verifier.ready();
    token = await fx.accessToken({ scope: 'meters:read' });
    apiKey = (await fx.server.gk.apiKeys.create({ name: 'k', scopes: ['meters:read'] })).key;
    expired = await fx.sign({}, claims({ exp: Math.floor(Date.now() / 1000) - 5 }));
  });
  afterAll(() => fx.close());

  describe('Fastify plugin', () => {
    let app: FastifyInstance;
    let edrv: FastifyInstance;
    let bodiesParsed = 0;

    beforeAll(async () => {
      app = Fastify();
      app.addHook('preValidation', async () => {
        bodiesParsed++;
      });
      await app.register(gridkeyAuth, { verifier });
      app.get('/open', async (req) => ({ gridkey: req.gridkey }));
      app.get('/meters', { config: { gridkey: { scopes: ['meters:read'] } } }, async (req) => ({
        kind: req.gridkey?.kind,
        subject: req.gridkey?.subject,
      }));
      app.post('/readings', { config: { gridkey: { scopes: ['readings:write'] } } }, async () => ({
        ok: true,
      }));
      // A child context: the plugin is not encapsulated, so its hook covers this too.
      await app.register(async (child) => {
        child.get('/web', { config: { gridkey: { interface: 'web' } } }, async () => 'web');
      });
      await app.ready();
      edrv = Fastify();
      await edrv.register(gridkeyAuth, { verifier, errorStyle: 'edrv' });
      edrv.get('/x', { config: { gridkey: {} } }, async () => 'x');
    });
    afterAll(async () => {
      await app.close();
      await edrv.close();
    });

    it('puts the verified token on request.gridkey', async () => {
      const res = await app.inject({
        url: '/meters',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ kind: 'access_token', subject: expect.any(String) });
      const key = await app.inject({ url: '/meters', headers: { 'x-api-key': apiKey } });
      expect(key.json()).toMatchObject({ kind: 'api_key' });
    });

    it('leaves routes without config.gridkey alone', async () => {
      const res = await app.inject({ url: '/open' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ gridkey: null });
    });

    it('answers before the body is parsed, in the RFC 6750 preset', async () => {
      const before = bodiesParsed;
      const res = await app.inject({
        method: 'POST',
        url: '/readings',
        headers: { 'content-type': 'application/json' },
        payload: '{not json',
      });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
      expect(res.body).toBe('{"error_description":"a bearer token is required"}');
      expect(bodiesParsed).toBe(before);
      const scoped = await app.inject({
        method: 'POST',
        url: '/readings',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(scoped.statusCode).toBe(403);
      expect(scoped.headers['www-authenticate']).toBe(
        'Bearer realm="api", error="insufficient_scope", ' +
          'error_description="the token lacks a scope this request needs", scope="readings:write"',
      );
    });

    it('protects the routes of child contexts, per interface', async () => {
      const res = await app.inject({ url: '/web', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(200);
      expect((await app.inject({ url: '/web' })).statusCode).toBe(401);
    });

    it('answers in the edrv preset when asked', async () => {
      const res = await edrv.inject({ url: '/x', headers: { authorization: `Bearer ${expired}` } });
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe('{"ok":false,"message":"jwt expired","result":null}');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('refuses two tokens, query-string tokens and a broken Bearer header with 400', async () => {
      const cases = [
        { url: '/meters', headers: { authorization: `Bearer ${token}`, 'x-api-key': apiKey } },
        { url: `/meters?access_token=${token}` },
        { url: '/meters', headers: { authorization: `Bearer  ${token}` } },
        { url: '/meters', headers: { authorization: 'Bearer' } },
      ];
      for (const c of cases) {
        const res = await app.inject(c);
        expect(res.statusCode).toBe(400);
        expect(res.json().error).toBe('invalid_request');
        expect(res.body).not.toContain(token.slice(-20));
      }
      const basic = await app.inject({ url: '/meters', headers: { authorization: 'Basic eDp5' } });
      expect(basic.statusCode).toBe(401);
      expect(basic.headers['www-authenticate']).toBe('Bearer realm="api"');
    });

    it('checks options when the plugin and the routes are set up', async () => {
      const bad = Fastify();
      await expect(bad.register(gridkeyAuth, {} as never).ready()).rejects.toThrow(TypeError);
      const badRoute = Fastify();
      await badRoute.register(gridkeyAuth, { verifier });
      expect(() =>
        badRoute.get(
          '/x',
          { config: { gridkey: { scopes: 'meters:read' as never } } },
          async () => 1,
        ),
      ).toThrow(/config\.gridkey\.scopes/);
      await badRoute.close();
    });
  });

  describe('Express middleware', () => {
    let server: Server;
    let url: string;

    beforeAll(async () => {
      const app = express();
      app.get('/meters', requireToken(verifier, { scopes: ['meters:read'] }), (req, res) => {
        res.json({ kind: req.gridkey?.kind });
      });
      app.get('/jsonapi', requireToken(verifier, { errorStyle: 'jsonapi' }), (_req, res) => {
        res.send('no');
      });
      server = createServer(app);
      url = await listen(server);
    });
    afterAll(() => shut(server));

    it('sets req.gridkey and calls next', async () => {
      const res = await fetch(`${url}/meters`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ kind: 'access_token' });
    });

    it('answers refusals in the preset, exactly', async () => {
      const res = await fetch(`${url}/jsonapi`, {
        headers: { authorization: `Bearer ${expired}` },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/vnd.api+json');
      expect(await res.text()).toBe(
        '{"errors":[{"status":"401","code":"expired","title":"Expired token",' +
          '"detail":"the token has expired"}]}',
      );
      const twice = await fetch(`${url}/meters`, {
        headers: { authorization: `Bearer ${token}`, 'x-api-key': apiKey },
      });
      expect(twice.status).toBe(400);
      expect((await fetch(`${url}/meters?access_token=${token}`)).status).toBe(400);
    });

    it('checks its options when built', () => {
      expect(() => requireToken(verifier, { interface: 'mobile' as never })).toThrow(
        /requireToken: options\.interface/,
      );
      expect(() => requireToken(undefined as never)).toThrow(TypeError);
    });
  });

  describe('node:http and fetch-style handlers', () => {
    let server: Server;
    let url: string;

    beforeAll(async () => {
      server = createServer(async (req, res) => {
        try {
          const t = await authenticate(req, verifier, { scopes: ['meters:read'] });
          res.end(JSON.stringify({ kind: t.kind, subject: t.subject }));
        } catch (err) {
          const { status, headers, body } = errorResponse(err);
          res.writeHead(status, headers).end(body);
        }
      });
      url = await listen(server);
    });
    afterAll(() => shut(server));

    it('authenticates node:http requests by Bearer or X-API-Key', async () => {
      const bearer = await fetch(url, { headers: { authorization: `bearer ${token}` } });
      expect(bearer.status).toBe(200);
      expect(await bearer.json()).toMatchObject({ kind: 'access_token' });
      const key = await fetch(url, { headers: { 'x-api-key': apiKey } });
      expect(await key.json()).toMatchObject({ kind: 'api_key' });
    });

    it('refuses an Authorization header sent twice', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${url}/`, {
          headers: [
            ['authorization', `Bearer ${token}`],
            ['authorization', `Bearer ${token}`],
          ].flat(),
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(400);
    });

    it('authenticates a fetch Request, and refuses its query-string token', async () => {
      const ok = new Request('http://api.test/meters', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect((await authenticate(ok, verifier)).kind).toBe('access_token');
      const query = new Request(`http://api.test/meters?access_token=${token}`);
      await expect(authenticate(query, verifier)).rejects.toMatchObject({
        code: 'invalid_request',
        status: 400,
      });
      const none = new Request('http://api.test/meters');
      await expect(authenticate(none, verifier)).rejects.toMatchObject({
        code: 'missing_token',
        status: 401,
        error: undefined,
      });
      const jwtAsKey = { headers: { 'X-Api-Key': token } };
      await expect(authenticate(jwtAsKey, verifier)).rejects.toMatchObject({
        code: 'invalid_request',
      });
    });
  });
});
