/** JSON whitespace (RFC 8259 §2): space, tab, line feed, carriage return. */
const isJsonSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Whether a JSON text that `JSON.parse` accepted has an object with two
 * members of one name. RFC 8259 §4 leaves such a document's meaning open
 * (parsers keep the first, the last, or fail) and RFC 7493 §2.3 forbids it:
 * a proxy and this server could read two different documents. Names are
 * compared after unescaping (RFC 8259 §8.3). One pass, no recursion, so
 * deep nesting costs no stack.
 *
 * @example
 * hasDuplicateNames('{"a": 1, "a": 2}'); // true
 */
export function hasDuplicateNames(text: string): boolean {
  const open: (Set<string> | null)[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) open.push(new Set());
    else if (c === 0x5b) open.push(null);
    else if (c === 0x7d || c === 0x5d) open.pop();
    else if (c === 0x22) {
      let end = i + 1;
      while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      const literal = text.slice(i, end + 1);
      i = end + 1;
      const names = open[open.length - 1];
      if (names) {
        let next = i;
        while (isJsonSpace(text.charCodeAt(next))) next += 1;
        // A string followed by a colon is a member name; any other is a value.
        if (text.charCodeAt(next) === 0x3a) {
          const name = literal.includes('\\')
            ? (JSON.parse(literal) as string)
            : literal.slice(1, -1);
          if (names.has(name)) return true;
          names.add(name);
        }
      }
      continue;
    }
    i += 1;
  }
  return false;
}
