// @node-oauth/oauth2-server v5 behind plain node:http. The model keeps one client in memory and
// signs its access tokens with the same ES256 signer as the ceiling.
import { createServer } from 'node:http';
import OAuth2Server from '@node-oauth/oauth2-server';
import {
  AUDIENCE,
  accessTokenClaims,
  createEs256Signer,
  createSecretCheck,
  HOST,
  readTargetSettings,
  TOKEN_TTL_SECONDS,
} from './shared.mjs';

const { Request, Response } = OAuth2Server;
const settings = readTargetSettings();
const signJwt = createEs256Signer();
const secretMatches = createSecretCheck(settings.clientSecret);
const client = { id: settings.clientId, grants: ['client_credentials'] };

// The library's basic-auth parser hands over the raw header values; RFC 6749 §2.3.1 says they
// are form-urlencoded, so decode them before comparing.
const decodeFormComponent = (value) => decodeURIComponent(value.replaceAll('+', ' '));

const model = {
  async getClient(clientId, clientSecret) {
    if (decodeFormComponent(clientId) !== client.id) return null;
    if (!clientSecret || !secretMatches(decodeFormComponent(clientSecret))) return null;
    return client;
  },
  async getUserFromClient(authenticatedClient) {
    // client_credentials has no end user; the client acts on its own behalf.
    return { id: authenticatedClient.id };
  },
  async generateAccessToken(authenticatedClient) {
    const claims = accessTokenClaims({
      issuer: settings.issuer,
      audience: AUDIENCE,
      clientId: authenticatedClient.id,
      ttlSeconds: TOKEN_TTL_SECONDS,
    });
    return signJwt(claims);
  },
  async saveToken(token, savedClient, user) {
    // Stateless JWTs: nothing to store.
    return { ...token, client: savedClient, user };
  },
};

const oauth = new OAuth2Server({ model, accessTokenLifetime: TOKEN_TTL_SECONDS });

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res, status, headers, body) {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function handleToken(req, res) {
  const body = Object.fromEntries(new URLSearchParams(await readBody(req)));
  const request = new Request({ headers: req.headers, method: req.method, query: {}, body });
  const response = new Response();
  try {
    await oauth.token(request, response);
  } catch {
    // The library has already written the OAuth error status and body into `response`.
  }
  sendJson(res, response.status, response.headers, response.body);
}

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/token') {
    handleToken(req, res).catch(() => sendJson(res, 500, {}, { error: 'server_error' }));
  } else if (req.method === 'GET' && req.url === '/readyz') {
    sendJson(res, 200, {}, { status: 'ok' });
  } else {
    sendJson(res, 404, {}, { error: 'not_found' });
  }
});

server.listen(settings.port, HOST);
