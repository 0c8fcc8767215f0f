import { describe, expect, it } from 'vitest';
import { TokenState } from './token-state.js';

const patEvent = (revoked: boolean, api = true) => ({
  type: 'pat.state' as const,
  cursor: '1',
  at: 1,
  exp: 4_000_000_000,
  jti: 'p1',
  patId: 'id1',
  api,
  web: false,
  until: null,
  revoked,
});

describe('TokenState', () => {
  it('keeps a revoked PAT revoked, whatever a later event says', () => {
    const state = new TokenState();
    state.apply(patEvent(false));
    state.apply(patEvent(true));
    state.apply(patEvent(false));
    expect(state.patState('p1')?.revoked).toBe(true);
  });

  it('forgets authorisations on a reset, but not revocations', () => {
    const state = new TokenState();
    state.apply(patEvent(false));
    state.apply({ ...patEvent(true), jti: 'p2' });
    state.forgetPatStates();
    expect(state.patState('p1')).toBeUndefined();
    expect(state.patState('p2')?.revoked).toBe(true);
  });
});
