import { Writable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { InvalidGrantError, TooManyRequestsError } from '../errors.js';
import { createRefusalLog, noteRefusal } from './refusal-log.js';

function sink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino(stream) };
}

const request = (ip: string) =>
  ({ ip, url: '/oauth2/token', routeOptions: { url: '/oauth2/token' } }) as FastifyRequest;

describe('the refusal log', () => {
  it('writes one 429 line a minute per address and path, then says how many it left out', () => {
    const { lines, logger } = sink();
    let t = 0;
    const log = createRefusalLog(logger, () => t);
    const over = new TooManyRequestsError('token request budget exceeded', 7);
    for (let i = 0; i < 5; i++) {
      const req = request('192.0.2.1');
      // Varying what the caller controls does not make more lines.
      noteRefusal(req, { party: { client_id: 'c1', user: `u${i}` } });
      log(req, over);
    }
    // Another address is its own line.
    const other = request('192.0.2.2');
    noteRefusal(other, { party: { client_id: 'c2' } });
    log(other, over);
    t += 60_001;
    const later = request('192.0.2.1');
    noteRefusal(later, { party: { client_id: 'c1' } });
    log(later, over);
    expect(lines.map((l) => [l.level, l.msg, l.client_id, l.repeats_not_logged])).toEqual([
      [40, 'request refused: over budget', 'c1', undefined],
      [40, 'request refused: over budget', 'c2', undefined],
      [40, 'request refused: over budget', 'c1', 4],
    ]);
    expect(lines[0]).toMatchObject({ retry_after: 7, path: '/oauth2/token' });
  });

  it('logs a failed login with who, escaped, and ignores a caller’s mistake', () => {
    const { lines, logger } = sink();
    const log = createRefusalLog(logger);
    const req = request('192.0.2.1');
    noteRefusal(req, {
      party: { client_id: 'evil\u001b[2J', user: 'abc' },
      failedAuthentication: 'password login failed',
    });
    log(req, new InvalidGrantError('the username or password is wrong'));
    const plain = request('192.0.2.1');
    log(plain, new InvalidGrantError('the refresh token is invalid'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'password login failed',
      user: 'abc',
      error: 'invalid_grant',
    });
    expect(String(lines[0]?.client_id)).not.toContain('\u001b');
  });
});
