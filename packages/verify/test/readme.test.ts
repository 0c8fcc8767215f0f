import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERIFY_ERROR_CODES, VerifyError } from '../src/index.js';
import { DEFAULTS } from '../src/lib/options.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the README', () => {
  it('has a row for every error code, with its status and wire error', () => {
    for (const code of VERIFY_ERROR_CODES) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${code}\``));
      expect(row, `README row for ${code}`).toBeDefined();
      const err = new VerifyError(code, 'x');
      expect(row).toContain(`| ${err.status}`);
      expect(row).toContain(err.error === undefined ? 'none' : `\`${err.error}\``);
    }
  });

  it('states every default', () => {
    for (const value of Object.values(DEFAULTS)) {
      expect(readme).toContain(`\`${value}\``);
    }
  });
});
