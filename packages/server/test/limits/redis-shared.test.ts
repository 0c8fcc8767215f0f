import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RedisServer, redisAvailable, startRedis } from '../../../../test/helpers/redis.js';
import {
  type RedisSharedNodes,
  startRedisSharedNodes,
} from '../../../../test/helpers/redis-nodes.js';
import type { ServeProcess } from '../../../../test/helpers/serve-process.js';
import { basic, postForm } from '../../../../test/helpers/test-server.js';

describe.skipIf(!redisAvailable())(
  'rate limits shared through Redis by two server processes',
  () => {
    let redis: RedisServer;
    let nodes: ServeProcess[] = [];
    let urls: string[] = [];
    let client: { id: string; secret: string };

    let shared: RedisSharedNodes | undefined;

    beforeAll(async () => {
      redis = await startRedis();
      shared = await startRedisSharedNodes(redis.url);
      ({ nodes, urls, client } = shared);
    });
    afterAll(async () => {
      await shared?.stop();
      await redis.stop();
    });

    const token = (url: string) =>
      postForm(
        `${url}/oauth2/token`,
        { grant_type: 'client_credentials' },
        { authorization: basic(client.id, client.secret) },
      );

    it('spends one budget across both nodes', async () => {
      const [a, b] = urls as [string, string];
      expect((await token(a)).status).toBe(200);
      expect((await token(b)).status).toBe(200);
      expect((await token(a)).status).toBe(200);
      expect((await token(b)).status).toBe(200);
      const fifth = await token(a);
      expect(fifth.status).toBe(429);
      expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await token(b)).status).toBe(429);
    });

    it('keeps serving on local budgets when Redis goes away, with one warning', async () => {
      await redis.stop();
      const [, b] = urls as [string, string];
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await token(b)).status);
      // Each node now counts alone: node b's fresh local budget of 4, then 429.
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      expect((await fetch(`${b}/healthz`)).status).toBe(200);
      const node = nodes[1] as ServeProcess;
      await vi.waitFor(() => expect(node.output().stdout).toContain('Redis unreachable'), {
        timeout: 5000,
      });
      const warnings = node
        .output()
        .stdout.split('\n')
        .filter((l) => l.includes('Redis unreachable'));
      expect(warnings).toHaveLength(1);
    });
  },
);
