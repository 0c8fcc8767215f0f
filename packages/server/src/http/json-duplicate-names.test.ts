import { describe, expect, it } from 'vitest';
import { hasDuplicateNames } from './json-duplicate-names.js';

describe('hasDuplicateNames', () => {
  it('finds a name twice in one object, escaped or not, at any depth', () => {
    expect(hasDuplicateNames('{"a": 1, "a": 2}')).toBe(true);
    expect(hasDuplicateNames('{"a_b": 1, "a\\u005fb": 2}')).toBe(true);
    expect(hasDuplicateNames('[{"x": {"y": [1, {"z": 1, "z" : 2}]}}]')).toBe(true);
  });

  it('allows one name in sibling or nested objects, and names as values', () => {
    expect(hasDuplicateNames('{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}')).toBe(false);
    expect(hasDuplicateNames('{"a": "a", "b": "a", "c": ["a", "a"]}')).toBe(false);
    expect(hasDuplicateNames('{"a\\"": 1, "a": 2, "q": "\\\\"}')).toBe(false);
    expect(hasDuplicateNames(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBe(false);
  });
});
