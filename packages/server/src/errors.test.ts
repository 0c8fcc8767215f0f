import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as errors from './errors.js';

const docsDir = new URL('../../../docs/', import.meta.url).pathname;

function allDocs(dir: string): string {
  return readdirSync(dir, { withFileTypes: true })
    .map((e) =>
      e.isDirectory()
        ? allDocs(join(dir, e.name))
        : e.name.endsWith('.md')
          ? readFileSync(join(dir, e.name), 'utf8')
          : '',
    )
    .join('\n');
}

/** Every wire error code the server can send, from the one registry. */
function errorCodes(): { name: string; code: string; status: number }[] {
  return Object.entries(errors)
    .filter(
      ([, value]) => typeof value === 'function' && value.prototype instanceof errors.OAuthError,
    )
    .map(([name, Ctor]) => {
      const instance = new (Ctor as new (d: string, x?: unknown) => errors.OAuthError)(
        'described',
        1,
      );
      return { name, code: instance.error, status: instance.status };
    });
}

describe('the error registry', () => {
  it('documents every error code the server can send', () => {
    const docs = allDocs(docsDir);
    const codes = errorCodes();
    expect(codes.length).toBeGreaterThan(15);
    for (const { name, code } of codes) expect(docs, `${name} (${code})`).toContain(`\`${code}\``);
  });

  it('gives every error a 4xx or 5xx status, and hides only 5xx descriptions', () => {
    for (const { name, status } of errorCodes()) {
      expect(status, name).toBeGreaterThanOrEqual(400);
      expect(status, name).toBeLessThan(600);
    }
    expect(new errors.ServerError('x').expose).toBe(false);
  });
});
