import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as errors from './errors.js';
import { standardErrorResponse } from './http/error-response.js';
import { jsonApiErrorResponse } from './profiles/enectiva/json-api.js';
import { HashingBusyError } from './secrets/hashing-gate.js';

const httpApiDoc = new URL('../../../docs/http-api.md', import.meta.url).pathname;

/** `code status` pairs, the form both sides are compared in. */
const pair = (code: string, status: number) => `${code} ${status}`;

/** The rows of the one table of wire error codes: docs/http-api.md, "Error codes". */
function documentedCodes(): string[] {
  const doc = readFileSync(httpApiDoc, 'utf8');
  const section = doc.split(/^### Error codes$/m)[1]?.split(/^#/m)[0];
  if (section === undefined) throw new Error('docs/http-api.md has no "### Error codes" section');
  return section
    .split('\n')
    .map((line) => /^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|/.exec(line))
    .filter((m) => m !== null)
    .map((m) => pair(m[1] as string, Number(m[2])));
}

type Raise = (description: string) => errors.OAuthError;

/** Every OAuthError class the server can raise: the registry, and subclasses declared elsewhere. */
function registry(): { name: string; raise: Raise }[] {
  const classes: [string, unknown][] = [
    ...Object.entries(errors),
    ['HashingBusyError', HashingBusyError],
  ];
  return classes
    .filter(
      ([, value]) => typeof value === 'function' && value.prototype instanceof errors.OAuthError,
    )
    .map(([name, Ctor]) => ({
      name,
      raise: (description: string) =>
        new (Ctor as new (d: string, x?: unknown) => errors.OAuthError)(description, 1),
    }));
}

const raised = () =>
  registry().map(({ name, raise }) => {
    const err = raise('described');
    return { name, err, code: pair(err.error, err.status) };
  });

describe('the error registry and docs/http-api.md', () => {
  it('documents every code the server raises, with its status', () => {
    const documented = new Set(documentedCodes());
    const all = raised();
    expect(all.length).toBeGreaterThan(15);
    for (const { name, code } of all) expect(documented, name).toContain(code);
  });

  it('raises every documented code, with the documented status', () => {
    const codes = new Set(raised().map((r) => r.code));
    const documented = documentedCodes();
    expect(documented.length).toBeGreaterThan(15);
    expect(new Set(documented).size, 'a row is repeated').toBe(documented.length);
    for (const row of documented) expect(codes, row).toContain(row);
  });
});

describe('what an error shows', () => {
  it('gives every error a 4xx or 5xx status, and exposes its description below 500 only', () => {
    for (const { name, err } of raised()) {
      expect(err.status, name).toBeGreaterThanOrEqual(400);
      expect(err.status, name).toBeLessThan(600);
      expect(err.expose, name).toBe(err.status < 500);
    }
  });

  it('never puts what a 5xx error says in its body', () => {
    const secret = 'connect ECONNREFUSED 10.0.0.7:5432 (password=hunter2)';
    const fiveHundreds = registry()
      .map(({ name, raise }) => ({ name, err: raise(secret) }))
      .filter(({ err }) => err.status >= 500);
    expect(fiveHundreds.map((e) => e.name).sort()).toEqual([
      'HashingBusyError',
      'ServerError',
      'TemporarilyUnavailableError',
    ]);
    for (const { name, err } of fiveHundreds) {
      expect(JSON.stringify(standardErrorResponse(err).body), name).not.toContain('hunter2');
      expect(JSON.stringify(jsonApiErrorResponse(err).body), name).not.toContain('hunter2');
    }
    expect(standardErrorResponse(new errors.ServerError(secret)).body).toEqual({
      error: 'server_error',
    });
    expect(standardErrorResponse(new errors.TemporarilyUnavailableError(secret, 5))).toEqual({
      status: 503,
      body: {
        error: 'temporarily_unavailable',
        error_description: 'the database is unavailable; try again shortly',
      },
      headers: { 'retry-after': '5' },
    });
    expect(standardErrorResponse(new HashingBusyError(secret, 1)).body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'too many logins are being checked; try again later',
    });
  });

  it('shows a 4xx description as it was raised', () => {
    expect(standardErrorResponse(new errors.InvalidScopeError('scope is malformed')).body).toEqual({
      error: 'invalid_scope',
      error_description: 'scope is malformed',
    });
  });
});
