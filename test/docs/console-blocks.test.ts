import { describe, expect, it } from 'vitest';
import { compareOutput, maskOutput } from './compare-output.js';
import { commandToRun, parseConsoleBlocks } from './console-blocks.js';

const DOC = [
  '# t',
  '```sh',
  '$ not run',
  '```',
  '```console',
  '$ echo a \\',
  '    b',
  'a b',
  '',
  '$ X=1',
  '$ echo $X',
  '1',
  '```',
  '```json',
  '{}',
  '```',
].join('\n');

describe('parseConsoleBlocks', () => {
  it('takes commands, continuation lines and outputs from console blocks only', () => {
    expect(parseConsoleBlocks('t.md', DOC)).toEqual([
      { file: 't.md', line: 6, command: 'echo a \\\n    b', expected: 'a b' },
      { file: 't.md', line: 10, command: 'X=1', expected: '' },
      { file: 't.md', line: 11, command: 'echo $X', expected: '1' },
    ]);
  });

  it('refuses a console block that does not start with a command', () => {
    expect(() => parseConsoleBlocks('t.md', '```console\noutput\n```')).toThrow(
      't.md:2: a console block must start with "$ "',
    );
  });

  it('refuses an unclosed block', () => {
    expect(() => parseConsoleBlocks('t.md', '```console\n$ a\n')).toThrow('unclosed');
  });
});

describe('maskOutput', () => {
  it('masks ids, secrets, tokens, kids, times and ports, and keeps the rest', () => {
    const text = [
      'fa847bb135a63fcd1956e5a542d8ed9b 2OERgEcINzkRxt-TiV1iNXeMTMvKeuffuNqBaF5D1nA',
      'af737a1b-388a-4c72-b4fc-3e169068fb0b eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln',
      'gk_bhQvZdZh3oLEwNW03VJPKNXWxUBGLNTUDvejCpuyqe71GeB2h gkr_abcDEF123',
      '2026-11-23T10:56:46.000Z 1795431410 http://127.0.0.1:18123 (3596 s left)',
      'access_token_signing_alg_values_supported max-age=28 expires_in 3600',
    ].join('\n');
    expect(maskOutput(text)).toBe(
      [
        '<ID> <B64>',
        '<UUID> <JWT>',
        '<API_KEY> <REFRESH_TOKEN>',
        '<TIME> <UNIX> http://127.0.0.1:<PORT> (<N> s left)',
        'access_token_signing_alg_values_supported max-age=28 expires_in 3600',
      ].join('\n'),
    );
  });
});

describe('compareOutput', () => {
  it('ignores masked values and JSON key order, and fails on any other change', () => {
    const doc = '{"id":"fa847bb135a63fcd1956e5a542d8ed9b","expires_in":3600,"scope":"a"}';
    const real = '{"scope":"a","expires_in":3600,"id":"0ee6396fd336da787a71a4362c5aadba"}';
    expect(compareOutput(doc, real).ok).toBe(true);
    expect(compareOutput(doc, real.replace('3600', '600')).ok).toBe(false);
    expect(compareOutput(doc, real.replace('"scope":"a",', '')).ok).toBe(false);
  });

  it('binds a documented id to the real one for later commands', () => {
    const result = compareOutput(
      'client_id: fa847bb135a63fcd1956e5a542d8ed9b',
      'client_id: 0ee6396fd336da787a71a4362c5aadba',
    );
    expect([...result.bindings]).toEqual([
      ['fa847bb135a63fcd1956e5a542d8ed9b', '0ee6396fd336da787a71a4362c5aadba'],
    ]);
  });

  it('reads … as anything within a line, and as any lines on a line of its own', () => {
    expect(compareOutput('a: eyJhbGciOiJFUzI1NiIs…\n…\nend', 'a: eyJx.eyJy.z\nb\nc\nend').ok).toBe(
      true,
    );
    expect(compareOutput('a\n…\nend', 'a\nb').ok).toBe(false);
  });

  it('compares the status line, the headers the doc shows and the body', () => {
    const doc = 'HTTP/1.1 200 OK\ncache-control: no-store\n\n{"a":1}';
    const real = 'HTTP/1.1 200 OK\r\ndate: x\r\nCache-Control: no-store\r\n\r\n{"a":1}';
    expect(compareOutput(doc, real).ok).toBe(true);
    expect(compareOutput(doc, real.replace('no-store', 'no-cache')).ok).toBe(false);
    expect(compareOutput(doc, real.replace('200 OK', '201 Created')).ok).toBe(false);
    expect(compareOutput(doc, 'HTTP/1.1 200 OK\r\n\r\n{"a":1}').ok).toBe(false);
  });
});

describe('commandToRun', () => {
  it("runs the docs' npx gridkey as gridkey, against this run's server, with bound values", () => {
    const example = {
      file: 't.md',
      line: 1,
      command:
        'npx gridkey client show fa847bb135a63fcd1956e5a542d8ed9b; curl http://127.0.0.1:8080/x',
      expected: '',
    };
    const bindings = new Map([['fa847bb135a63fcd1956e5a542d8ed9b', 'REAL']]);
    expect(commandToRun(example, 'http://127.0.0.1:4000', bindings)).toBe(
      'gridkey client show REAL; curl http://127.0.0.1:4000/x',
    );
  });
});
