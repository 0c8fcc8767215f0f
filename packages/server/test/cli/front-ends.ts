import { hostname, userInfo } from 'node:os';
import { afterAll, beforeAll } from 'vitest';
import { type CliResult, runCli } from '../../../../test/helpers/cli.js';
import { sqliteTarget } from '../../../../test/helpers/stores.js';
import { startTestServer, type TestServer } from '../../../../test/helpers/test-server.js';

export interface FrontEndsOptions {
  /** Server configuration, as for `startTestServer`. */
  config?: NonNullable<Parameters<typeof startTestServer>[1]>['config'];
  /** The CLI's environment. */
  env?: NodeJS.ProcessEnv;
  /** Sees every admin-API answer, as text. */
  onAnswer?(method: string, path: string, text: string): void;
  /** Sees everything each CLI run printed. */
  onPrint?(args: string[], stdout: string, stderr: string): void;
}

export interface ApiAnswer {
  status: number;
  json: Record<string, unknown>;
}

export interface CliAnswer extends CliResult {
  /** The JSON printed, when the command succeeded. */
  out: Record<string, unknown> | undefined;
}

export interface FrontEnds {
  server: TestServer;
  /** An admin token for the admin API. */
  admin: string;
  /** Calls the admin API with the admin token. */
  api(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  /** Runs the CLI (with `--json`) over the server's database. */
  cli(...args: string[]): Promise<CliAnswer>;
  /** Runs the CLI as `cli` does, with the given standard input. */
  cliWith(args: string[], stdin?: string): Promise<CliAnswer>;
  /** The audit entries on `target`, newest first. */
  auditOf(target: string): Promise<Awaited<ReturnType<TestServer['gk']['audit']['list']>>>;
  /** Who the CLI acts as in the audit. */
  cliActor: string;
  close(): Promise<void>;
}

/**
 * The CLI and the admin API over one test server on SQLite: both front ends
 * of the operations layer, for tests that compare them.
 */
export async function startFrontEnds(options: FrontEndsOptions = {}): Promise<FrontEnds> {
  const server = await startTestServer(
    sqliteTarget(),
    options.config === undefined ? {} : { config: options.config },
  );
  const admin = (await server.gk.pats.createAdminToken()).token;
  const where = ['--data-dir', server.dataDir, '--db', server.dbUrl, '--json'];

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    options.onAnswer?.(method, path, text);
    return { status: res.status, json: JSON.parse(text) as Record<string, unknown> };
  };
  const cliWith = async (args: string[], stdin?: string) => {
    const res = await runCli([...args, ...where], {
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(stdin === undefined ? {} : { stdin }),
    });
    options.onPrint?.(args, res.stdout, res.stderr);
    return { ...res, out: res.code === 0 ? (res.json() as Record<string, unknown>) : undefined };
  };
  return {
    server,
    admin,
    api,
    cli: (...args) => cliWith(args),
    cliWith,
    auditOf: async (target) =>
      (await server.gk.audit.list({ limit: 500 })).filter((e) => e.target === target),
    cliActor: `cli:${userInfo().username}@${hostname()}`,
    close: () => server.close(),
  };
}

/**
 * Starts the front ends before the enclosing suite's tests and closes them
 * after. Its `server` and `admin` are there once the tests run; the other
 * members may be taken at once.
 */
export function frontEnds(options: FrontEndsOptions = {}) {
  let started: FrontEnds | undefined;
  const get = () => {
    if (started === undefined) throw new Error('the front ends are not started yet');
    return started;
  };
  beforeAll(async () => {
    started = await startFrontEnds(options);
  });
  afterAll(() => started?.close());
  return {
    get server() {
      return get().server;
    },
    get admin() {
      return get().admin;
    },
    api: ((...a) => get().api(...a)) as FrontEnds['api'],
    cli: ((...a) => get().cli(...a)) as FrontEnds['cli'],
    cliWith: ((...a) => get().cliWith(...a)) as FrontEnds['cliWith'],
    auditOf: ((target) => get().auditOf(target)) as FrontEnds['auditOf'],
    cliActor: `cli:${userInfo().username}@${hostname()}`,
  };
}
