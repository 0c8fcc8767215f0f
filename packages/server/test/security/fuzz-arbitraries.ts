import fc from 'fast-check';
import type { RawRequest } from './fuzz-support.js';

/**
 * Generators for the HTTP fuzzer: a valid request of each endpoint, with a
 * few fields mutated, in bodies and framings that are sometimes not what
 * the endpoint takes at all.
 */

/** A value that must never come back in an error answer (docs/http-api.md §Errors). */
export const CANARY = 'qzxcanary';
const canary = fc.nat(99_999).map((n) => `${CANARY}${n}`);

/** Strings that have broken parsers before: encodings, numbers, names, escapes. */
const NASTY = [
  '',
  ' ',
  '\t',
  '%',
  '%zz',
  '%00',
  '\u0000',
  '\u202e',
  '\ufeff',
  '\ud800',
  '😀',
  'é',
  '+',
  '&',
  '=',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '-1',
  '0',
  '1e999',
  'NaN',
  'Infinity',
  '9007199254740993',
  '9'.repeat(400),
  "'; drop table clients; --",
  '../../../etc/passwd',
  '{{7*7}}',
  '<script>',
  'Bearer',
  'client_credentials',
  'password',
  'refresh_token',
  '*',
  'admin',
];

const oversized = fc
  .tuple(fc.constantFrom('a', 'é', '\u0000', '%', '😀', '&a='), fc.constantFrom(300, 5_000, 70_000))
  .map(([c, n]) => c.repeat(Math.ceil(n / c.length)));

/** Any string the fuzzer sends: short and printable, unicode, control characters, huge. */
export const fuzzString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-composite', maxLength: 10 }) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: canary },
  { weight: 1, arbitrary: oversized },
);

/** One character changed, dropped or added: close to valid, never valid. */
export const mutated = (valid: string): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.nat(Math.max(valid.length - 1, 0)),
      fc.constantFrom('drop', 'flip', 'add', 'case', 'control'),
    )
    .map(([i, how]) => {
      const c = valid[i] ?? 'x';
      if (how === 'drop') return valid.slice(0, i) + valid.slice(i + 1);
      if (how === 'add') return `${valid.slice(0, i)}A${valid.slice(i)}`;
      // U+0000 is what PostgreSQL text cannot hold; the others what logs must not obey.
      if (how === 'control')
        return `${valid.slice(0, i)}${'\u0000\u001b\u202e'[i % 3]}${valid.slice(i)}`;
      if (how === 'case' && c.toUpperCase() !== c)
        return valid.slice(0, i) + c.toUpperCase() + valid.slice(i + 1);
      return valid.slice(0, i) + (c === 'B' ? 'C' : 'B') + valid.slice(i + 1);
    });

/** A JSON text fragment JSON.stringify cannot produce, or one that is costly to parse. */
const rawJson = fc.oneof(
  fc.constantFrom(
    '1e999',
    '-1e999',
    '-0',
    '123456789012345678901234567890',
    '1'.repeat(500),
    '0.0000000000000000000000000001',
    '"\\ud800"',
    '"\\u0000"',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"x":1}}}',
  ),
  fc.constantFrom(100, 2_000, 20_000).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.constantFrom(100, 5_000).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
);

/** A JSON value given as text: any type, huge numbers, deep nesting, long strings. */
export const jsonFragment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fuzzString.map((s) => JSON.stringify(s)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom('null', 'true', 'false', '0', '-1', '1.5', '[]', '{}'),
      fc.double().map((d) => (Number.isFinite(d) ? String(d) : '1e999')),
      fc.array(fuzzString, { maxLength: 3 }).map((a) => JSON.stringify(a)),
    ),
  },
  { weight: 2, arbitrary: rawJson },
);

/** An object of JSON text fragments as a JSON text: `{"k":<fragment>,...}`. */
export const objectText = (entries: readonly (readonly [string, string])[]) =>
  `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;

/** Text that is not JSON, or not a whole JSON text. */
export const malformedJson = fc.oneof(
  fc.constantFrom('{', '{"a":', '{"a" 1}', "{'a':1}", '[1,]', '{"a":1}}', 'nul', '\u0000', ''),
  fuzzString,
);

/**
 * A list of valid fields turned into a list of fields to send: some values
 * replaced, some fields dropped, repeated, renamed `name[]` or added.
 */
export function mutateFields(
  fields: readonly (readonly [string, string])[],
  values: (name: string) => fc.Arbitrary<string> = () => fuzzString,
): fc.Arbitrary<[string, string][]> {
  type Edit = (f: [string, string][]) => fc.Arbitrary<[string, string][]>;
  const pick = (f: [string, string][]) => fc.nat(Math.max(f.length - 1, 0));
  const edits: Edit[] = [
    (f) =>
      pick(f).chain((i) =>
        values(f[i]?.[0] ?? 'x').map((v) =>
          f.map((e, j): [string, string] => (j === i ? [e[0], v] : e)),
        ),
      ),
    (f) => pick(f).map((i) => f.filter((_, j) => j !== i)),
    (f) =>
      fc
        .tuple(pick(f), fc.boolean(), fuzzString)
        .map(([i, same, v]) => [...f, [f[i]?.[0] ?? 'x', same ? (f[i]?.[1] ?? '') : v]]),
    (f) =>
      pick(f).map((i) => f.map((e, j): [string, string] => (j === i ? [`${e[0]}[]`, e[1]] : e))),
    (f) =>
      fc
        .tuple(
          fc.oneof(fuzzString, fc.constantFrom('__proto__', 'scope', 'resource', 'client_id')),
          fuzzString,
        )
        .map(([k, v]) => [...f, [k, v]]),
  ];
  const step = (f: [string, string][]) => fc.constantFrom(...edits).chain((e) => e(f));
  return fc.nat(3).chain((n) => {
    let arb: fc.Arbitrary<[string, string][]> = fc.constant(fields.map(([k, v]) => [k, v]));
    for (let i = 0; i < n; i++) arb = arb.chain(step);
    return arb;
  });
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** encodeURIComponent, for strings with lone surrogates too (as U+FFFD). */
export const percentEncode = (s: string) => encodeURIComponent(s.replace(LONE_SURROGATE, '\ufffd'));

/** Form encoding, mostly proper, sometimes raw (unescaped `&`, `=`, `%`, spaces, unicode). */
export const formText = (fields: readonly (readonly [string, string])[]) =>
  fc
    .boolean()
    .map((raw) =>
      fields
        .map(([k, v]) => (raw ? `${k}=${v}` : `${percentEncode(k)}=${percentEncode(v)}`))
        .join('&'),
    );

/** Header values carry no line breaks, but for one deliberate injection attempt. */
export const headerValue = (s: string) => s.replace(/[\r\n]/g, ' ');

/** Content types, right and wrong. */
export const contentType = (right: string) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(right) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        `${right}; charset=utf-8`,
        `${right}; charset=latin1`,
        right.toUpperCase(),
        ` ${right} `,
        `${right};`,
        `${right}, ${right}`,
        'application/json',
        'application/vnd.api+json',
        'application/x-www-form-urlencoded',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/octet-stream',
        '*/*',
        '',
        ';',
        'application/',
        `${right}; charset="\u00e9"`,
      ),
    },
    { weight: 1, arbitrary: fuzzString.map(headerValue) },
  );

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Authorization headers of every kind, around the valid ones given. */
export const authorization = (valid: readonly string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...valid) },
    {
      weight: 4,
      arbitrary: fc.oneof(
        fc.constantFrom(
          '',
          'Basic',
          'Basic ',
          'Bearer',
          'Bearer ',
          'Basic !!!',
          'Basic ===',
          'Digest x',
        ),
        fuzzString.map((s) => `Basic ${b64(s)}`),
        fc.tuple(fuzzString, fuzzString).map(([a, b]) => `Basic ${b64(`${a}:${b}`)}`),
        fuzzString.map((s) => `Basic ${headerValue(s)}`),
        fuzzString.map((s) => `Bearer ${headerValue(s)}`),
        fuzzString.map(headerValue),
        fc.constantFrom(...valid).chain((v) => mutated(v)),
        fc.constantFrom(...valid).map((v) => v.replace(/^\w+/, (s) => s.toUpperCase())),
        fc.constantFrom(...valid).map((v) => `${v}, ${v}`),
        fc.constantFrom(...valid).map((v) => `${v} extra`),
        fc.constantFrom(5_000, 20_000).map((n) => `Bearer ${'a'.repeat(n)}`),
      ),
    },
  );

/** Headers added to any request: forwarding, negotiation, overrides, junk. */
export const extraHeaders: fc.Arbitrary<[string, string][]> = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom(
        'x-forwarded-for',
        'x-real-ip',
        'forwarded',
        'x-gridkey-interface',
        'accept',
        'accept-encoding',
        'accept-charset',
        'content-encoding',
        'x-http-method-override',
        'origin',
        'cookie',
        'range',
        'if-none-match',
        'x-request-id',
        'authorization',
        'content-type',
      ),
      fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,20}$/),
    ),
    fc.oneof(
      fc.constantFrom(
        'web',
        'api',
        'gzip',
        'deflate',
        'br',
        '*/*',
        '127.0.0.1',
        '::1',
        'bytes=0-1',
      ),
      fuzzString.map((s) => headerValue(s).slice(0, 4000)),
      fc.constant(`x\r\nx-injected: ${CANARY}`),
    ),
  ),
  { maxLength: 3 },
);

/** Mostly the method the route takes; sometimes another, a made-up or a lower-case one. */
export const method = (right: string) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(right) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'GET',
        'POST',
        'PUT',
        'PATCH',
        'DELETE',
        'HEAD',
        'OPTIONS',
        'TRACE',
        'PROPFIND',
        'SEARCH',
        'FOO',
        right.toLowerCase(),
      ),
    },
  );

/** How the body is framed: mostly Content-Length, sometimes chunked, sometimes not at all. */
export const framing = fc.constantFrom<RawRequest['framing']>(
  'length',
  'length',
  'length',
  'length',
  'length',
  'length',
  'chunked',
  'none',
);

/** A query string from fields: encoded, raw, or empty. */
export const queryText = (fields: readonly (readonly [string, string])[]) =>
  formText(fields).map((q) => (q === '' ? '' : `?${q}`));
