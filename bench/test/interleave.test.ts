import { describe, expect, it } from 'vitest';
import { rotate } from '../lib/targets.mjs';
import { mirroredOrder } from '../verify/measures.mjs';

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

describe('mirroredOrder (the legs of each example-API run)', () => {
  it('gives each mode two legs in mirrored order, and starts each run with the other mode', () => {
    const runs = [1, 2, 3, 4].map((run) => mirroredOrder(run));
    expect(runs).toEqual([
      ['on', 'off', 'off', 'on'],
      ['off', 'on', 'on', 'off'],
      ['on', 'off', 'off', 'on'],
      ['off', 'on', 'on', 'off'],
    ]);
    for (const legs of runs) {
      // Mirrored: a drift that is linear over the run weighs on both modes alike.
      expect([...legs].reverse()).toEqual(legs);
      expect(legs.filter((mode) => mode === 'on')).toHaveLength(2);
    }
  });
});
