import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { freePort } from '../../../../test/helpers/ports.js';
import { sqliteTarget } from '../../../../test/helpers/stores.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/http/logger.js';
import { startServer } from '../../src/serve.js';

/**
 * A PAT made by the CLI names the issuer a server started from the same
 * config would use: the configured `issuer` (its trailing `/` dropped, as
 * the server drops it), or else the URL `serve` listens on.
 */
describe('the iss of a PAT made by the CLI', () => {
  let db: Awaited<ReturnType<ReturnType<typeof sqliteTarget>['create']>>;

  beforeAll(async () => {
    db = await sqliteTarget().create();
  });
  afterAll(() => db.cleanup());

  const patIssuer = async (config: Record<string, unknown>) => {
    const file = join(db.dataDir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    const res = await runCli([
      'pat',
      'create',
      '--name',
      'dev box',
      '--role',
      'user',
      '--config',
      file,
      '--data-dir',
      db.dataDir,
      '--db',
      db.dbUrl,
      '--json',
    ]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const { token } = res.json() as { token: string };
    return { iss: decodeJwt(token).iss, file };
  };

  /** The issuer a server started from the config file publishes in its metadata. */
  const servedIssuer = async (file: string) => {
    const server = await startServer(
      loadConfig({ file, env: {}, flags: { dataDir: db.dataDir, db: db.dbUrl } }),
      {
        logger: createLogger('silent'),
      },
    );
    try {
      const res = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
      return ((await res.json()) as { issuer: string }).issuer;
    } finally {
      await server.close();
    }
  };

  it('is the configured issuer, written as the server writes it', async () => {
    const { iss, file } = await patIssuer({ issuer: 'https://auth.example.com/' });
    expect(iss).toBe('https://auth.example.com');
    expect(await servedIssuer(file)).toBe(iss);
  });

  it('is the URL serve listens on when no issuer is configured', async () => {
    const port = await freePort();
    const { iss, file } = await patIssuer({ host: '127.0.0.1', port });
    expect(iss).toBe(`http://127.0.0.1:${port}`);
    expect(await servedIssuer(file)).toBe(iss);
  });
});
