import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSubject, SCOPES, TYPES } from '../../tools/commit-subject.mjs';

describe('commit subjects (CONTRIBUTING.md, "Commits")', () => {
  it('accepts one type, with or without a scope from the list', () => {
    expect(checkSubject('feat(client): password flow')).toBeUndefined();
    expect(checkSubject('fix(store): lists in a total order')).toBeUndefined();
    expect(checkSubject('test: one helper for two nodes')).toBeUndefined();
    expect(checkSubject('feat(server)!: drop the v1 paths')).toBeUndefined();
    expect(checkSubject("Merge branch 'x'")).toBeUndefined();
  });

  it('names what is wrong', () => {
    expect(checkSubject('added a thing')).toMatch(/must read "type\(scope\): summary"/);
    expect(checkSubject('feature(client): x')).toMatch(/unknown type 'feature'/);
    expect(checkSubject('fix(database): x')).toMatch(/unknown scope 'database'/);
    expect(checkSubject('feat(client): fix: two in one')).toMatch(/one type per commit/);
    expect(checkSubject('fix(client):no space')).toMatch(/must read/);
  });

  it('checks exactly the types and scopes CONTRIBUTING.md lists', () => {
    const guide = readFileSync(new URL('../../CONTRIBUTING.md', import.meta.url), 'utf8');
    const section = guide.slice(guide.indexOf('## Commits'), guide.indexOf('## Code'));
    const types = [...section.matchAll(/^\| `([a-z]+)` \|/gm)].map((m) => m[1]);
    const scopes = [...section.matchAll(/^- `([a-z-]+)`$/gm)].map((m) => m[1]);
    expect(types).toEqual([...TYPES]);
    expect(scopes).toEqual([...SCOPES]);
  });
});
