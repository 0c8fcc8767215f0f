/**
 * Compares a documented output with a real one. Values that differ from run
 * to run are masked in both to stable placeholders first; `…` in the
 * documented text stands for anything (a line of its own: any lines).
 */

/** Values that name something a later command may use, in masking order. */
const VALUE_MASKS: ReadonlyArray<readonly [RegExp, string]> = [
  [/eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,2}/g, '<JWT>'],
  [/\bgkr_[A-Za-z0-9_-]+/g, '<REFRESH_TOKEN>'],
  [/\bgk_[A-Za-z0-9_-]+/g, '<API_KEY>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<UUID>'],
  [/(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])/g, '<ID>'],
  // Random base64url has capitals or digits; long snake_case names have neither.
  [/(?<![A-Za-z0-9_-])(?=[a-z_-]*[A-Z0-9])[A-Za-z0-9_-]{40,}(?![A-Za-z0-9_-])/g, '<B64>'],
];

/** Values that only vary: times, ports, countdowns. */
const TIME_MASKS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, '<TIME>'],
  [/(?<![\d.])1[7-9]\d{8}(?![\d.])/g, '<UNIX>'],
  [/\b(127\.0\.0\.1|localhost):\d+/g, '$1:<PORT>'],
  [/\(\d+ s left\)/g, '(<N> s left)'],
  [/("seconds_left": )\d+/g, '$1<N>'],
  // A budget's window counts down from its first request: a slow machine
  // reads 59 where the doc shows 60. Ten seconds and more stay comparable.
  [/^(retry-after: )(?:[1-5]\d|60)$/gim, '$1<N>'],
];

/** Replaces ids, secrets, tokens, kids, times and ports with placeholders. */
export function maskOutput(text: string): string {
  let out = text;
  for (const [pattern, placeholder] of [...VALUE_MASKS, ...TIME_MASKS]) {
    out = out.replace(pattern, placeholder);
  }
  return out;
}

/** The maskable values of a text, in order, each with its placeholder. */
export function valuesIn(text: string): Array<{ value: string; kind: string }> {
  const found: Array<{ at: number; value: string; kind: string }> = [];
  let rest = text;
  for (const [pattern, kind] of VALUE_MASKS) {
    for (const m of rest.matchAll(pattern)) found.push({ at: m.index, value: m[0], kind });
    rest = rest.replace(pattern, (s) => ' '.repeat(s.length));
  }
  return found.sort((a, b) => a.at - b.at).map(({ value, kind }) => ({ value, kind }));
}

export interface Comparison {
  ok: boolean;
  /** The masked texts compared (JSON canonicalised, headers reduced). */
  expected: string;
  actual: string;
  /** Documented value → real value, for the ids, secrets and tokens the output showed. */
  bindings: Map<string, string>;
}

/** Compares documented output with real output; see the file comment. */
export function compareOutput(documented: string, real: string): Comparison {
  const expected = normalise(documented);
  const actual = normalise(real);
  if (/^HTTP\/[\d.]+ /.test(expected)) return compareHttp(expected, actual);
  const json = canonicalJson(expected, actual);
  if (json !== null) return compareText(json.expected, json.actual);
  return compareText(expected, actual);
}

function normalise(text: string): string {
  const lines = text
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

/** Both as sorted, indented JSON when both are JSON; key order is not compared. */
function canonicalJson(expected: string, actual: string) {
  try {
    return { expected: sortedJson(JSON.parse(expected)), actual: sortedJson(JSON.parse(actual)) };
  } catch {
    return null;
  }
}

function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value), null, 2);
}

/** Status line and body compared; of the headers, only those the doc shows. */
function compareHttp(expected: string, actual: string): Comparison {
  const [expHead = '', ...expBody] = expected.split('\n\n');
  const [actHead = '', ...actBody] = actual.split('\n\n');
  const actLines = actHead.split('\n');
  const actHeaders = new Map(
    actLines.slice(1).map((l) => {
      const name = l.slice(0, l.indexOf(':')).toLowerCase();
      return [name, `${name}${l.slice(name.length)}`] as const;
    }),
  );
  const shown = expHead.split('\n');
  const picked = [actLines[0] ?? ''];
  for (const line of shown.slice(1)) {
    if (line.trim() === '…') continue;
    picked.push(actHeaders.get(line.slice(0, line.indexOf(':')).toLowerCase()) ?? '(missing)');
  }
  const head = compareText(shown.filter((l) => l.trim() !== '…').join('\n'), picked.join('\n'));
  const body = compareOutput(expBody.join('\n\n'), actBody.join('\n\n'));
  return {
    ok: head.ok && body.ok,
    expected: `${head.expected}\n\n${body.expected}`,
    actual: `${head.actual}\n\n${body.actual}`,
    bindings: new Map([...head.bindings, ...body.bindings]),
  };
}

function compareText(expected: string, actual: string): Comparison {
  const exp = maskOutput(expected).replace(/[A-Za-z0-9_.-]*…[A-Za-z0-9_.-]*/g, '…');
  const act = maskOutput(actual);
  const pairs = matchLines(exp.split('\n'), act.split('\n'), 0, 0);
  const bindings = new Map<string, string>();
  const expLines = expected.split('\n');
  const actLines = actual.split('\n');
  for (const [i, j] of pairs ?? []) bind(expLines[i] ?? '', actLines[j] ?? '', bindings);
  return { ok: pairs !== null, expected: exp, actual: act, bindings };
}

/** The pairs of matching lines (documented, real), or null when they do not match. */
function matchLines(
  exp: string[],
  act: string[],
  i: number,
  j: number,
): Array<[number, number]> | null {
  if (i === exp.length) return j === act.length ? [] : null;
  const line = exp[i] ?? '';
  if (line.trim() === '…') {
    for (let k = j; k <= act.length; k++) {
      const rest = matchLines(exp, act, i + 1, k);
      if (rest !== null) return rest;
    }
    return null;
  }
  if (j === act.length || !lineMatcher(line).test(act[j] ?? '')) return null;
  const rest = matchLines(exp, act, i + 1, j + 1);
  return rest === null ? null : [[i, j], ...rest];
}

function lineMatcher(line: string): RegExp {
  const parts = line.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

/** Pairs the values of two matching lines in order, when the line elides nothing. */
function bind(expected: string, actual: string, bindings: Map<string, string>): void {
  if (expected.includes('…')) return;
  const exp = valuesIn(expected);
  const act = valuesIn(actual);
  if (exp.length !== act.length) return;
  exp.forEach((e, n) => {
    const a = act[n];
    if (a !== undefined && a.kind === e.kind && e.value !== a.value) bindings.set(e.value, a.value);
  });
}
