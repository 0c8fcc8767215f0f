// The operations of the soak's mixed load, each one request. An operation returns the response
// (see send()) plus the status it expects, or undefined when it had nothing to work on (e.g. no
// idle refresh session): that is counted as skipped, not sent.
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

const TIMEOUT_MS = 10_000;

// Like a client's connection pool: at most this many connections to a node, reused. A burst
// beyond it waits for a free connection (and that wait is part of the latency), so the node's
// descriptor count does not follow the load generator's bursts.
const MAX_SOCKETS = 16;

export function createAgent() {
  return new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
}

// One HTTP request over a keep-alive agent, resolved (never rejected) with the status and body or
// the transport error, and the time from sending to the end of the response.
function send(agent, url, { method = 'POST', headers = {}, body = '' }) {
  return new Promise((resolve) => {
    const started = performance.now();
    const done = (outcome) => resolve({ ...outcome, ms: performance.now() - started });
    const req = httpRequest(
      url,
      { method, agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          done({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (error) => done({ error: error.code ?? error.message }));
      },
    );
    req.setTimeout(TIMEOUT_MS, () => {
      const error = new Error('timeout');
      error.code = 'timeout';
      req.destroy(error);
    });
    req.on('error', (error) => done({ error: error.code ?? error.message }));
    req.end(body);
  });
}

const formEncode = (value) => encodeURIComponent(value).replaceAll('%20', '+');

function form(fields) {
  return Object.entries(fields)
    .map(([key, value]) => `${formEncode(key)}=${formEncode(value)}`)
    .join('&');
}

function basicAuth({ client_id: id, client_secret: secret }) {
  return `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64')}`;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const RECENT_ACCESS_TOKENS = 2000;
const PENDING_REVOCATIONS = 2000;
const FORM = 'application/x-www-form-urlencoded';
const JSON_API = 'application/vnd.api+json';

/** What the operations share: fixtures, the refresh sessions and tokens seen so far. */
export function createState(fixtures) {
  const { machine, app, resourceServer } = fixtures.clients;
  return {
    fixtures,
    machineAuth: basicAuth(machine),
    resourceServerAuth: basicAuth(resourceServer),
    app,
    // Idle refresh sessions, least recently used first. A session is out of this list while a
    // request uses its refresh token, so it is never refreshed twice at once (that is reuse).
    sessions: [],
    // Users without a session: a password login takes the first of them, so that each user
    // has about one session and stays within the per-user refresh budget.
    loggedOut: [...fixtures.users],
    sessionsLost: 0,
    recentAccessTokens: [],
    pendingRevocations: [],
    introspectedActive: 0,
    introspectedInactive: 0,
    userIndex: 0,
    loginTokenIndex: 0,
  };
}

function remember(list, item, cap) {
  list.push(item);
  if (list.length > cap) list.shift();
}

function rememberAccessToken(state, token) {
  if (typeof token === 'string') remember(state.recentAccessTokens, token, RECENT_ACCESS_TOKENS);
}

const postForm = (node, path, fields, authorization) =>
  send(node.agent, `${node.url}${path}`, {
    headers: { 'content-type': FORM, ...(authorization ? { authorization } : {}) },
    body: form(fields),
  });

/** One password login (the NET2GRID profile's /v2/token); its refresh token starts a session. */
export async function passwordLogin(state, node) {
  const users = state.fixtures.users;
  const user = state.loggedOut.shift() ?? users[state.userIndex++ % users.length];
  const response = await postForm(node, '/v2/token', {
    grant_type: 'password',
    username: user.email,
    password: user.password,
    client_id: state.app.client_id,
    client_secret: state.app.client_secret,
  });
  const body = response.status === 200 ? parseJson(response.body) : undefined;
  if (body?.refresh_token) {
    state.sessions.push({ user, refreshToken: body.refresh_token, refreshes: 0 });
    rememberAccessToken(state, body.access_token);
  } else {
    state.loggedOut.push(user);
  }
  return { ...response, expect: 200 };
}

/** The status each operation expects; anything else counts as an error. */
export const EXPECTED_STATUS = {
  client_credentials: 200,
  password: 200,
  refresh: 200,
  exchange: 201,
  introspect: 200,
  revoke_access: 200,
  revoke_refresh: 200,
};

export const OPERATIONS = {
  client_credentials: {
    describe: 'POST /oauth2/token grant_type=client_credentials (Basic)',
    async run(state, node) {
      const response = await postForm(
        node,
        '/oauth2/token',
        { grant_type: 'client_credentials' },
        state.machineAuth,
      );
      const token = response.status === 200 ? parseJson(response.body)?.access_token : undefined;
      if (token) {
        rememberAccessToken(state, token);
        remember(state.pendingRevocations, token, PENDING_REVOCATIONS);
      }
      return { ...response, expect: 200 };
    },
  },
  password: {
    describe: 'POST /v2/token grant_type=password (net2grid), starts a refresh session',
    run: passwordLogin,
  },
  refresh: {
    describe: 'POST /v2/token grant_type=refresh_token, the rotated token kept for next time',
    async run(state, node) {
      const session = state.sessions.shift();
      if (!session) return undefined;
      const response = await postForm(node, '/v2/token', {
        grant_type: 'refresh_token',
        refresh_token: session.refreshToken,
        client_id: state.app.client_id,
        client_secret: state.app.client_secret,
      });
      const body = response.status === 200 ? parseJson(response.body) : undefined;
      if (body?.refresh_token) {
        session.refreshToken = body.refresh_token;
        session.refreshes += 1;
        state.sessions.push(session);
        rememberAccessToken(state, body.access_token);
      } else if (response.status === 429) {
        // Over the per-user budget: the presented token stays usable, so is the session.
        state.sessions.push(session);
      } else {
        // Refused or unanswered: the token may or may not have rotated, so the session is over.
        state.sessionsLost += 1;
        state.loggedOut.push(session.user);
      }
      return { ...response, expect: 200 };
    },
  },
  exchange: {
    describe: 'POST //access_tokens (Enectiva login-token exchange, JSON:API)',
    async run(state, node) {
      const loginTokens = state.fixtures.loginTokens;
      const loginToken = loginTokens[state.loginTokenIndex++ % loginTokens.length];
      const response = await send(node.agent, `${node.url}//access_tokens`, {
        headers: { accept: JSON_API, 'content-type': JSON_API },
        body: JSON.stringify({
          data: {
            type: 'login_tokens',
            attributes: { customer_uuid: loginToken.customer, login_token: loginToken.token },
          },
        }),
      });
      if (response.status === 201) {
        rememberAccessToken(state, parseJson(response.body)?.data?.attributes?.encoded);
      }
      return { ...response, expect: 201 };
    },
  },
  introspect: {
    describe: 'POST /oauth2/introspect of a recent access token (resource-server client)',
    async run(state, node) {
      const tokens = state.recentAccessTokens;
      if (tokens.length === 0) return undefined;
      const token = tokens[Math.floor(Math.random() * tokens.length)];
      const response = await postForm(
        node,
        '/oauth2/introspect',
        { token },
        state.resourceServerAuth,
      );
      const body = response.status === 200 ? parseJson(response.body) : undefined;
      if (body?.active === true) state.introspectedActive += 1;
      if (body?.active === false) state.introspectedInactive += 1;
      return { ...response, expect: 200 };
    },
  },
  revoke_access: {
    describe: 'POST /oauth2/revoke of a client_credentials access token (Basic)',
    async run(state, node) {
      const token = state.pendingRevocations.shift();
      if (!token) return undefined;
      const response = await postForm(node, '/oauth2/revoke', { token }, state.machineAuth);
      return { ...response, expect: 200 };
    },
  },
  revoke_refresh: {
    describe: 'POST /oauth2/revoke of the oldest idle refresh session (ends its family)',
    async run(state, node) {
      const session = state.sessions.shift();
      if (!session) return undefined;
      state.loggedOut.push(session.user);
      const response = await postForm(node, '/oauth2/revoke', {
        token: session.refreshToken,
        client_id: state.app.client_id,
        client_secret: state.app.client_secret,
      });
      return { ...response, expect: 200 };
    },
  },
};
