import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  it('shares one stdout destination, so loggers do not pile up exit listeners', () => {
    createLogger('silent');
    const listeners = process.listenerCount('exit');
    for (let i = 0; i < 5; i++) createLogger('silent');
    expect(process.listenerCount('exit')).toBe(listeners);
  });
});
