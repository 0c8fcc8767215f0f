import { CompactSign } from 'jose';
import { storeTargets } from '../../../test/helpers/stores.js';
import {
  clientCredentials,
  startTestServer,
  type TestServer,
} from '../../../test/helpers/test-server.js';
import { createVerifier, type Verifier, type VerifierOptions } from '../src/index.js';

/**
 * The issuer the test servers are configured with. A server listening on
 * port 0 does not know its URL before `listen`, so the verifier reaches it
 * through a fetch that maps this name to the real address.
 */
export const ISSUER = 'http://gridkey.test';

export interface Fixture {
  server: TestServer;
  /** Every URL the verifiers of this fixture requested (after mapping), in order. */
  requests: string[];
  count(path: string): number;
  fetch: typeof fetch;
  verifier(options?: Partial<VerifierOptions>): Verifier;
  /** A client_credentials access token (client_secret_basic). */
  accessToken(
    form?: Record<string, string>,
    client?: { id: string; secret: string },
  ): Promise<string>;
  /** Signs any header and payload with the server's real current key of `alg`. */
  sign(
    header: Record<string, unknown>,
    payload: Record<string, unknown>,
    alg?: 'ES256' | 'RS256',
  ): Promise<string>;
  close(): Promise<void>;
}

export async function startFixture(
  config: Partial<Record<string, unknown>> = {},
): Promise<Fixture> {
  const target = storeTargets()[0];
  if (target === undefined) throw new Error('no store target');
  const server = await startTestServer(target, { config: { issuer: ISSUER, ...config } });
  const requests: string[] = [];
  const verifiers: Verifier[] = [];
  const mapped: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input).replace(ISSUER, server.url);
    requests.push(new URL(url).pathname);
    return globalThis.fetch(url, init);
  };
  let defaultClient: { id: string; secret: string } | undefined;
  return {
    server,
    requests,
    count: (path) => requests.filter((p) => p === path).length,
    fetch: mapped,
    verifier(options = {}) {
      const v = createVerifier({ issuer: ISSUER, fetch: mapped, ...options });
      verifiers.push(v);
      return v;
    },
    async accessToken(form = {}, client) {
      defaultClient ??= await server.client({
        name: 'api client',
        scopes: ['meters:read', 'readings:read', 'readings:write'],
      });
      const res = await clientCredentials(server, client ?? defaultClient, { form });
      if (res.status !== 200) throw new Error(`token request failed: ${res.text}`);
      return res.json.access_token as string;
    },
    async sign(header, payload, alg = 'ES256') {
      const key = server.gk.keys.signingKey(alg);
      return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header } as never)
        .sign(key.key);
    },
    async close() {
      await Promise.all(verifiers.map((v) => v.close()));
      await server.close();
    },
  };
}

/** Standard claims of a token the server could have issued, valid for an hour. */
export function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    sub: 'subject-1',
    aud: ISSUER,
    scope: 'meters:read',
    iat: now,
    exp: now + 3600,
    jti: `jti-${Math.random().toString(36).slice(2)}`,
    ...extra,
  };
}

/** Polls until `check` returns something other than undefined, or fails after the deadline. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  deadlineMs = 5000,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The code a verification rejects with (or 'ok'). */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    throw err;
  }
}

export const b64url = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
