import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../packages/server/src/config/load-config.js';
import type { Config } from '../../packages/server/src/config/schema.js';
import { type Gridkey, openGridkey } from '../../packages/server/src/gridkey.js';
import { buildApp } from '../../packages/server/src/http/build-app.js';
import { createLogger } from '../../packages/server/src/http/logger.js';
import { rotateSigningKeys } from '../../packages/server/src/keys/key-ring.js';
import type { Clock } from '../../packages/server/src/lib/clock.js';
import { freePort } from './ports.js';
import type { StoreTarget } from './stores.js';

/** A clock the test moves by hand. */
export class FakeClock implements Clock {
  constructor(private ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface TestServer {
  url: string;
  gk: Gridkey;
  app: FastifyInstance;
  config: Config;
  dataDir: string;
  dbUrl: string;
  /** Every log line written so far. */
  logs(): string;
  /** Registers a client and returns its credentials. */
  client(
    input?: Parameters<Gridkey['clients']['create']>[0],
  ): Promise<{ id: string; secret: string }>;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1, on a free port, over a fresh database of the given kind. */
export async function startTestServer(
  target: StoreTarget,
  options: {
    clock?: Clock;
    config?: Partial<Record<keyof Config, unknown>>;
    env?: NodeJS.ProcessEnv;
    /** Another node over this server's database (not removed on close). */
    sharing?: TestServer;
  } = {},
): Promise<TestServer> {
  const db =
    options.sharing === undefined
      ? await target.create()
      : { dbUrl: options.sharing.dbUrl, dataDir: options.sharing.dataDir, cleanup: async () => {} };
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  // The port is chosen first so that the issuer is known before anything is
  // signed: PATs carry it from creation, like every token. Between choosing
  // it and listening, another socket can take it: then again, on another.
  const open = async (port: number) => {
    const config = loadConfig({
      flags: {
        dataDir: db.dataDir,
        db: db.dbUrl,
        clientCacheTtlSeconds: 0,
        issuer: `http://127.0.0.1:${port}`,
        ...options.config,
      },
      env: options.env ?? {},
    });
    const gk = await openGridkey(config, {
      ensureKeys: true,
      env: options.env ?? {},
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    const app = await buildApp(gk, { logger: createLogger('info', sink) });
    try {
      await app.listen({ host: '127.0.0.1', port });
    } catch (err) {
      await app.close();
      await gk.close();
      throw err;
    }
    return { port, config, gk, app };
  };
  let opened: Awaited<ReturnType<typeof open>> | undefined;
  for (let attempt = 1; opened === undefined; attempt++) {
    try {
      opened = await open(await freePort());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 3) throw err;
    }
  }
  const { port, config, gk, app } = opened;
  return {
    url: `http://127.0.0.1:${port}`,
    gk,
    app,
    config,
    dataDir: db.dataDir,
    dbUrl: db.dbUrl,
    logs: () => lines.join(''),
    async client(input = { name: 'test client', scopes: ['read', 'write'] }) {
      const { client, secret } = await gk.clients.create(input);
      return { id: client.clientId, secret };
    },
    async close() {
      await app.close();
      await gk.close();
      await db.cleanup();
    },
  };
}

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A client_credentials request with client_secret_basic, to `path` on the server. */
export const clientCredentials = (
  server: TestServer,
  client: { id: string; secret: string },
  options: { path?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
) =>
  postForm(
    `${server.url}${options.path ?? '/oauth2/token'}`,
    { grant_type: 'client_credentials', ...options.form },
    { authorization: basic(client.id, client.secret), ...options.headers },
  );

/** POSTs a form; returns status, headers and the parsed JSON body (or text). */
export async function postForm(
  url: string,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
) {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json: json as Record<string, unknown>, text };
}

/**
 * `gridkey keys rotate` on the server's store at `now` (unix seconds): new
 * keys that sign at once; retired keys past `maxTokenTtlSeconds` (default
 * the server's) are deleted.
 */
export const rotateKeys = (server: TestServer, now: number, maxTokenTtlSeconds?: number) =>
  rotateSigningKeys({
    store: server.gk.store,
    keyEncryptionKey: server.gk.secrets.keyEncryptionKey,
    now,
    activationDelaySeconds: 0,
    maxTokenTtlSeconds: maxTokenTtlSeconds ?? server.config.accessTokenMaxTtlSeconds,
  });
