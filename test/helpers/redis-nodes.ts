import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { type ServeProcess, serveProcess } from './serve-process.js';

export interface RedisSharedNodes {
  dir: string;
  /** A client with a token budget of `tokenBudget` a minute, shared through Redis. */
  client: { id: string; secret: string };
  nodes: ServeProcess[];
  urls: string[];
  /** Stops both nodes and removes their data directory (Redis is the caller's). */
  stop(): Promise<void>;
}

/** Two `gridkey serve` processes over one SQLite data dir, sharing rate limits through `redisUrl`. */
export async function startRedisSharedNodes(
  redisUrl: string,
  tokenBudget = 4,
): Promise<RedisSharedNodes> {
  const dir = mkdtempSync(join(tmpdir(), 'gridkey-redis-'));
  const created = await runCli([
    'client',
    'create',
    '--name',
    'shared',
    '--token-budget',
    String(tokenBudget),
    '--json',
    '--data-dir',
    dir,
  ]);
  const out = created.json() as { client_id: string; client_secret: string };
  const nodes = [0, 1].map(() =>
    serveProcess(['--data-dir', dir], { GRIDKEY_REDIS_URL: redisUrl }),
  );
  const urls = await Promise.all(nodes.map((n) => n.listening));
  return {
    dir,
    client: { id: out.client_id, secret: out.client_secret },
    nodes,
    urls,
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
