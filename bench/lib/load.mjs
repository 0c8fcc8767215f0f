// The load: the one request every target is measured with, the check that its answer is what we
// mean to measure, and the load generators, each run in its own process pinned to the load CPU
// (load-worker.mjs).
import { fileURLToPath } from 'node:url';
import { jsonResultOf, spawnPinned } from './processes.mjs';

const workerPath = fileURLToPath(new URL('./load-worker.mjs', import.meta.url));
// Slack on top of the load duration before the harness gives up on a load run.
const LOAD_WATCHDOG_SLACK_MS = 30_000;
const EXPECTED_TTL_SECONDS = 3600;
const ES256_SIGNATURE_BYTES = 64;

const formEncode = (value) => encodeURIComponent(value).replaceAll('%20', '+');

/** client_credentials with client_secret_basic (RFC 6749 §2.3.1: form-urlencoded id and secret). */
export function buildTokenRequest({ url, clientId, clientSecret }) {
  const credentials = Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`);
  return {
    url,
    method: 'POST',
    headers: {
      authorization: `Basic ${credentials.toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  };
}

function decodeJwtHeader(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3)
    throw new Error('access_token is not a compact JWS (3 dot-separated parts)');
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  const signatureBytes = Buffer.from(parts[2], 'base64url').length;
  return { header, signatureBytes };
}

/**
 * Sends the request once and checks the answer: a 200 with an ES256-signed JWT access token
 * valid for 3600 s. Throws with the reason otherwise.
 */
export async function checkTokenResponse(request) {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`token request answered ${response.status}: ${text.slice(0, 300)}`);
  }
  const body = JSON.parse(text);
  const { header, signatureBytes } = decodeJwtHeader(body.access_token);
  if (header.alg !== 'ES256' || signatureBytes !== ES256_SIGNATURE_BYTES) {
    throw new Error(
      `access token is not ES256 (alg ${header.alg}, ${signatureBytes}-byte signature)`,
    );
  }
  // @node-oauth/oauth2-server computes expires_in from a Date it made a moment earlier, rounding
  // down: across a second boundary it says 3599 for the same 3600 s lifetime.
  if (body.expires_in !== EXPECTED_TTL_SECONDS && body.expires_in !== EXPECTED_TTL_SECONDS - 1) {
    throw new Error(`expires_in is ${body.expires_in}, expected ${EXPECTED_TTL_SECONDS}`);
  }
  return { tokenHeader: header, responseBytes: Buffer.byteLength(text) };
}

/** One autocannon load of `seconds` (a fresh process); resolves with its JSON summary. */
export function runLoad(request, { cpu, connections, seconds }) {
  const child = spawnPinned(cpu, [workerPath], {
    env: {
      BENCH_LOAD_OPTIONS: JSON.stringify({ kind: 'autocannon', ...request, connections, seconds }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return jsonResultOf(child, 'load run', seconds * 1000 + LOAD_WATCHDOG_SLACK_MS);
}

/** Password logins at `perSecond` for `seconds`, open loop; resolves with their summary. */
export function runPacedLogins(request, { cpu, perSecond, seconds }) {
  const child = spawnPinned(cpu, [workerPath], {
    env: { BENCH_LOAD_OPTIONS: JSON.stringify({ kind: 'logins', ...request, perSecond, seconds }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The pacer waits at most 10 s for its last answers.
  return jsonResultOf(child, 'login pacer', (seconds + 15) * 1000);
}
