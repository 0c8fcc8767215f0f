import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { exportsWithoutExample } from '../../../../test/helpers/tsdoc.js';

it('has a TSDoc @example on every export and every public method of gridkey', () => {
  expect(exportsWithoutExample(fileURLToPath(new URL('../..', import.meta.url)))).toEqual([]);
});
