import { describe, expect, it } from 'vitest';
import { rotate } from '../lib/targets.mjs';

describe('rotate (the order targets run in, run by run)', () => {
  it('starts each run one target further on, so every target leads once in turn', () => {
    const targets = ['ceiling', 'oauth2-server', 'gridkey'];
    const orders = [0, 1, 2, 3].map((run) => rotate(targets, run));
    expect(orders).toEqual([
      ['ceiling', 'oauth2-server', 'gridkey'],
      ['oauth2-server', 'gridkey', 'ceiling'],
      ['gridkey', 'ceiling', 'oauth2-server'],
      ['ceiling', 'oauth2-server', 'gridkey'],
    ]);
    // Every run still measures every target exactly once.
    for (const order of orders) expect([...order].sort()).toEqual([...targets].sort());
  });

  it('leaves an empty list empty and does not change its input', () => {
    expect(rotate([], 5)).toEqual([]);
    const targets = ['a', 'b'];
    rotate(targets, 1);
    expect(targets).toEqual(['a', 'b']);
  });
});
