import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { sqliteTarget } from '../../../test/helpers/stores.js';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import {
  authenticate,
  createVerifier,
  errorResponse,
  type VerifierOptions,
} from '../../verify/src/index.js';

export interface LoggedRequest {
  path: string;
  body: string;
  authorization: string | undefined;
  contentType: string | undefined;
}

/** A scripted answer: a status to send instead of the upstream's, or the upstream's. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'proxy';

/** One step of the script: an answer, sent at once or once `hold` settles. */
export type Step = Answer | { hold: Promise<void>; answer: Answer };

export interface Loopback {
  url: string;
  /** Requests received so far. */
  readonly requests: number;
  /** Every request received: path, body and headers (credentials included: tests only). */
  readonly log: ReadonlyArray<LoggedRequest>;
  /** Answers for the next requests, in order; once empty, every request is proxied. */
  script: Step[];
  /** The newest access_token the upstream issued through this proxy. */
  readonly newestToken: string | undefined;
  /** Resolves once `n` requests have arrived. */
  received(n: number): Promise<void>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * A loopback counting proxy in front of the real gridkey server: it counts
 * token requests and, when scripted, answers 429 or 503 in gridkey's stead.
 */
export async function startProxy(upstream: string): Promise<Loopback> {
  let requests = 0;
  const log: LoggedRequest[] = [];
  let newestToken: string | undefined;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const proxy: Loopback = {
    url: '',
    get requests() {
      return requests;
    },
    get newestToken() {
      return newestToken;
    },
    log,
    script: [],
    received(n) {
      if (requests >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    close: () => closeServer(server),
  };
  const server = createServer(async (req, res) => {
    requests++;
    for (const w of waiters.filter((w) => requests >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    const body = await readBody(req);
    log.push({
      path: req.url ?? '',
      body: body.toString('utf8'),
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
    });
    let step = proxy.script.shift() ?? 'proxy';
    if (typeof step === 'object' && 'hold' in step) {
      await step.hold;
      step = step.answer;
    }
    if (step !== 'proxy') {
      res.writeHead(step.status, step.headers ?? {});
      res.end(step.body ?? '');
      return;
    }
    const headers = new Headers();
    for (const name of ['authorization', 'content-type', 'accept']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers.set(name, value);
    }
    let up: Response;
    let text: string;
    try {
      up = await fetch(`${upstream}${req.url}`, { method: req.method ?? 'POST', headers, body });
      text = await up.text();
    } catch {
      res.writeHead(502).end();
      return;
    }
    try {
      const json = JSON.parse(text) as {
        access_token?: unknown;
        data?: { attributes?: { encoded?: unknown } };
      };
      const token = json.access_token ?? json.data?.attributes?.encoded;
      if (typeof token === 'string') newestToken = token;
    } catch {}
    const answer: Record<string, string> = {
      'content-type': up.headers.get('content-type') ?? 'text/plain',
    };
    const retryAfter = up.headers.get('retry-after');
    if (retryAfter !== null) answer['retry-after'] = retryAfter;
    res.writeHead(up.status, answer);
    res.end(text);
  });
  proxy.url = await listen(server);
  return proxy;
}

export interface Api {
  url: string;
  /** The Authorization header of every request, in order. */
  readonly seen: string[];
  close(): Promise<void>;
}

/** A loopback API that accepts only the newest token `newest()` names, and echoes the body. */
export async function startApi(newest: () => string | undefined): Promise<Api> {
  const seen: string[] = [];
  const server = createServer(async (req, res) => {
    const auth = req.headers.authorization ?? '';
    seen.push(auth);
    const body = await readBody(req);
    if (auth !== `Bearer ${newest()}`) {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(body);
  });
  return { url: await listen(server), seen, close: () => closeServer(server) };
}

export interface VerifiedApi {
  url: string;
  /** Requests answered so far, and how many of them were refused. */
  readonly served: number;
  readonly refused: number;
  close(): Promise<void>;
}

/**
 * A loopback API in front of which @gridkey/verify checks every request
 * against `server`, as a resource server would: 200 with the token's kind
 * and subject, or the verifier's refusal.
 */
export async function startVerifiedApi(
  server: TestServer,
  options: Omit<VerifierOptions, 'issuer'> = {},
): Promise<VerifiedApi> {
  const verifier = createVerifier({
    issuer: server.url,
    stateFeed: { pollMs: 200, maxStalenessMs: 10_000 },
    ...options,
  });
  let served = 0;
  let refused = 0;
  const http = createServer(async (req, res) => {
    served++;
    try {
      const token = await authenticate(req, verifier);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: token.kind, subject: token.subject }));
    } catch (err) {
      refused++;
      const { status, headers, body } = errorResponse(err);
      res.writeHead(status, headers).end(body);
    }
  });
  return {
    url: await listen(http),
    get served() {
      return served;
    },
    get refused() {
      return refused;
    },
    async close() {
      await closeServer(http);
      await verifier.close();
    },
  };
}

/** A promise and the function that settles it. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** The SQLite store target: the client tests need a real server, not every store. */
export const sqlite = sqliteTarget;

/** A gridkey on SQLite with one `meters:read` client, behind a scripted proxy. */
export async function startGridkeyBehindProxy(): Promise<{
  server: TestServer;
  proxy: Loopback;
  client: { id: string; secret: string };
  close(): Promise<void>;
}> {
  const server = await startTestServer(sqlite());
  const proxy = await startProxy(server.url);
  const client = await server.client({ name: 'reader', scopes: ['meters:read'] });
  return {
    server,
    proxy,
    client,
    async close() {
      proxy.script = [];
      await proxy.close();
      await server.close();
    },
  };
}

/**
 * The `file:` URL of a compiled module of this package, for child processes
 * (Node 20 runs no TypeScript). The suite builds `dist` (tsc -b) before
 * vitest runs; a missing or stale build fails the test rather than testing
 * old code.
 */
export function builtModule(name: string): string {
  const dist = fileURLToPath(new URL(`../dist/${name}.js`, import.meta.url));
  const src = fileURLToPath(new URL(`../src/${name}.ts`, import.meta.url));
  if (!existsSync(dist)) {
    throw new Error(`${dist} is missing: build it first with \`npx tsc -b packages/client\``);
  }
  if (statSync(dist).mtimeMs < statSync(src).mtimeMs) {
    throw new Error(
      `${dist} is older than its source: rebuild with \`npx tsc -b packages/client\``,
    );
  }
  return pathToFileURL(dist).href;
}

/** Resolves once `condition()` holds; rejects after `boundMs`, so a broken feature fails rather than hangs. */
export async function until(
  condition: () => boolean,
  what: string,
  boundMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Starts {@link startGridkeyBehindProxy} before the file's tests and closes it after; `use` receives it. */
export function useGridkeyBehindProxy(
  use: (fx: Awaited<ReturnType<typeof startGridkeyBehindProxy>>) => void,
): void {
  let fx: Awaited<ReturnType<typeof startGridkeyBehindProxy>> | undefined;
  beforeAll(async () => {
    fx = await startGridkeyBehindProxy();
    use(fx);
  });
  afterAll(() => fx?.close());
}
