import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServeProcess, serveProcess } from '../../../../test/helpers/serve-process.js';

/** A GET with the exact request-target given (fetch would normalise `//metrics`). */
function get(origin: string, target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: target }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gridkey serve --metrics-port', () => {
  let server: ServeProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await server?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    server = undefined;
    dir = undefined;
  });

  it('serves /metrics on that port only, and logs its URL', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridkey-serve-'));
    server = serveProcess(['--data-dir', dir, '--metrics-port', '0']);
    const url = await server.listening;
    const line = server
      .output()
      .stdout.split('\n')
      .find((l) => l.includes('"gridkey listening"'));
    const { metricsUrl } = JSON.parse(line ?? '{}') as { metricsUrl?: string };
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const metricsOrigin = new URL(metricsUrl as string).origin;
    expect(metricsOrigin).not.toBe(url);

    const scraped = await get(metricsOrigin, '/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('gridkey_tokens_issued_total');

    const notFound = { status: 404, body: expect.stringContaining('"error":"not_found"') };
    expect(await get(url, '/metrics')).toEqual(notFound);
    expect(await get(url, '//metrics')).toEqual(notFound);
    // The metrics listener serves nothing else, and /metrics at one spelling.
    for (const target of ['/healthz', '/oauth2/token', '//metrics', '/%6detrics', '/metrics/']) {
      expect({ target, ...(await get(metricsOrigin, target)) }).toEqual({ target, ...notFound });
    }
    expect((await get(url, '/healthz')).status).toBe(200);
  });

  it('serves /metrics on the main port when no metrics port is set', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridkey-serve-'));
    server = serveProcess(['--data-dir', dir]);
    const url = await server.listening;
    expect(server.output().stdout).not.toContain('metricsUrl');
    const scraped = await get(url, '/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('gridkey_tokens_issued_total');
    expect((await get(url, '//metrics')).status).toBe(404);
  });
});
