// Sends the benchmark request once and checks the answer is what we mean to measure: a 200 with
// an ES256-signed JWT access token valid for 3600 s. Throws with the reason otherwise.
const EXPECTED_TTL_SECONDS = 3600;
const ES256_SIGNATURE_BYTES = 64;

function decodeJwtHeader(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3)
    throw new Error('access_token is not a compact JWS (3 dot-separated parts)');
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  const signatureBytes = Buffer.from(parts[2], 'base64url').length;
  return { header, signatureBytes };
}

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
