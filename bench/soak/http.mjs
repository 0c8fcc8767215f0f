// One HTTP request over a keep-alive agent, resolved (never rejected) with the status and body
// or the transport error, and the time from sending to the end of the response.
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

export function send(agent, url, { method = 'POST', headers = {}, body = '' }) {
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

export function form(fields) {
  return Object.entries(fields)
    .map(([key, value]) => `${formEncode(key)}=${formEncode(value)}`)
    .join('&');
}

export function basicAuth({ client_id: id, client_secret: secret }) {
  return `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64')}`;
}

export function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
