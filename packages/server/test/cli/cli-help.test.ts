import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { type ServeProcess, serveProcess } from '../../../../test/helpers/serve-process.js';

const LEVELS = 'fatal, error, warn, info, debug, trace, silent';
// Decodes as a JWT; its signature is never reached when the keys cannot be had.
const TOKEN = [{ alg: 'ES256', kid: 'k' }, { sub: 'x' }]
  .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
  .concat('c2ln')
  .join('.');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gridkey-cli-help-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gridkey help', () => {
  it('prints the help of the root, a command and a subcommand with --help, exit 0', async () => {
    for (const [args, usage, shows] of [
      [['--help'], 'Usage: gridkey [options] [command]', 'client'],
      [['client', '--help'], 'Usage: gridkey client [options] [command]', 'rotate-secret'],
      [['client', 'create', '--help'], 'Usage: gridkey client create [options]', '--token-budget'],
      [['serve', '--help'], 'Usage: gridkey serve [options]', '--log-level <level>'],
    ] as const) {
      const res = await runCli([...args]);
      expect(res.code, args.join(' ')).toBe(0);
      expect(res.stderr, args.join(' ')).toBe('');
      expect(res.stdout.split('\n')[0], args.join(' ')).toBe(usage);
      expect(res.stdout, args.join(' ')).toContain(shows);
    }
  });

  it('prints the same help with help [COMMAND...], at every depth', async () => {
    for (const path of [[], ['client'], ['client', 'create'], ['keys', 'rotate'], ['inspect']]) {
      const viaHelp = await runCli(['help', ...path]);
      const viaFlag = await runCli([...path, '--help']);
      expect(viaHelp.code, path.join(' ')).toBe(0);
      expect(viaHelp.stderr, path.join(' ')).toBe('');
      expect(viaHelp.stdout, path.join(' ')).toBe(viaFlag.stdout);
      expect(viaHelp.stdout, path.join(' ')).toMatch(
        new RegExp(`^Usage: gridkey${path.map((p) => ` ${p}`).join('')} `),
      );
    }
    // A group's own help command, too.
    const inGroup = await runCli(['client', 'help', 'create']);
    expect(inGroup.code).toBe(0);
    expect(inGroup.stdout).toBe((await runCli(['client', 'create', '--help'])).stdout);
  });

  it('still answers a bare gridkey and a bare group with one line, exit 1', async () => {
    const bare = await runCli([]);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toBe(
      'gridkey: missing command: serve, client, user, apikey, pat, admin-token, keys, login-token, inspect or usage (gridkey --help lists them)\n',
    );
    const group = await runCli(['client']);
    expect(group.code).toBe(1);
    expect(group.stderr).toBe(
      'gridkey: client needs a subcommand: create|list|show|rotate-secret|update|revoke-tokens|delete\n',
    );
  });
});

describe('gridkey on a mistyped command or option', () => {
  it('names an unknown command, subcommand or option in one line and suggests the closest', async () => {
    for (const [args, stderr] of [
      [['clinet'], "gridkey: unknown command 'clinet' (did you mean client?)\n"],
      [
        ['clinet', 'create', '--name', 'x'],
        "gridkey: unknown command 'clinet' (did you mean client?)\n",
      ],
      [
        ['client', 'craete', '--name', 'x'],
        "gridkey: unknown command 'craete' (did you mean create?)\n",
      ],
      [['help', 'clinet'], "gridkey: unknown command 'clinet' (did you mean client?)\n"],
      [['help', 'client', 'craete'], "gridkey: unknown command 'craete' (did you mean create?)\n"],
      [
        ['client', 'create', '--name', 'x', '--scpe', 'a'],
        "gridkey: unknown option '--scpe' (did you mean --scope?)\n",
      ],
      [['keys', 'wobble'], "gridkey: unknown command 'wobble'\n"],
    ] as const) {
      // Each fails before a store is opened.
      const res = await runCli([...args]);
      expect(res.code, args.join(' ')).toBe(1);
      expect(res.stdout, args.join(' ')).toBe('');
      expect(res.stderr, args.join(' ')).toBe(stderr);
    }
  });
});

describe('gridkey on a bad configuration value', () => {
  it('names the flag and the allowed values', async () => {
    const res = await runCli(['serve', '--log-level', 'loud', '--data-dir', dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`gridkey: --log-level must be one of ${LEVELS} (got 'loud')\n`);
    const port = await runCli(['serve', '--port', '70000', '--data-dir', dir]);
    expect(port.stderr).toBe(
      "gridkey: --port must be a whole number from 0 to 65535 (got '70000')\n",
    );
  });

  it('names the environment variable, or the key and the file, that set it', async () => {
    const env = await runCli(['serve', '--data-dir', dir], { env: { GRIDKEY_LOG_LEVEL: 'loud' } });
    expect(env.code).toBe(1);
    expect(env.stderr).toBe(`gridkey: GRIDKEY_LOG_LEVEL must be one of ${LEVELS} (got 'loud')\n`);
    // The flag wins over the variable, and is the one named.
    const both = await runCli(['serve', '--log-level', 'noisy', '--data-dir', dir], {
      env: { GRIDKEY_LOG_LEVEL: 'info' },
    });
    expect(both.stderr).toBe(`gridkey: --log-level must be one of ${LEVELS} (got 'noisy')\n`);
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ accessTokenTtlSeconds: 0 }));
    const fromFile = await runCli(['client', 'list', '--config', file, '--data-dir', dir]);
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toBe(
      `gridkey: accessTokenTtlSeconds in ${file} must be a whole number from 1 to 86400 (got '0')\n`,
    );
  });
});

describe('gridkey inspect --jwks', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('says the JWKS could not be fetched when nothing listens, not that the token is invalid', async () => {
    // Port 3: nothing listens there, and it lies below the ephemeral range
    // the suite's own servers take ports from (a free port found now could be
    // taken before the CLI connects). Port 1 would do too, but fetch refuses
    // it as a "bad port".
    const url = 'http://127.0.0.1:3/jwks.json';
    const res = await runCli(['inspect', '--jwks', url, TOKEN, '--json']);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(
      `gridkey: cannot fetch the JWKS from ${url}: connection refused (ECONNREFUSED)\n`,
    );
  });

  it('names the HTTP status of a JWKS URL that does not answer 200', async () => {
    const listening = createServer((_req, res) => res.writeHead(404).end('no'));
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const { port } = listening.address() as { port: number };
    const url = `http://127.0.0.1:${port}/jwks.json`;
    const res = await runCli(['inspect', '--jwks', url, TOKEN]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`gridkey: cannot fetch the JWKS from ${url}: HTTP status 404\n`);
  });
});

describe('gridkey serve, first start', () => {
  let serve: ServeProcess | undefined;
  afterEach(async () => {
    await serve?.stop();
    serve = undefined;
  });

  it('suggests commands carrying its --data-dir and --db, which work against its store', async () => {
    const data = mkdtempSync(join(dir, 'serve-'));
    const db = `sqlite:${join(data, 'elsewhere.db')}`;
    serve = serveProcess(['--data-dir', data, '--db', db]);
    const url = await serve.listening;
    await vi.waitFor(() => expect(serve?.output().stderr).toContain('No admin token yet'));
    const hint = serve.output().stderr;
    const create = hint.split('\n').find((line) => line.includes('gridkey client create'));
    expect(create).toBe(
      `  npx gridkey client create --name demo --data-dir ${data} --db ${db} --json`,
    );
    expect(hint).toContain(`npx gridkey admin-token create --data-dir ${data} --db ${db} --json`);
    // Pasted, the command registers a client the running server knows.
    const args = (create as string).trim().split(' ').slice(2);
    const created = await runCli(args);
    expect(created.code).toBe(0);
    const { client_id, client_secret } = created.json() as Record<string, string>;
    const token = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
  });
});
