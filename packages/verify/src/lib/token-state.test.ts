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

describe('a client kill switch', () => {
  const kill = (before: number) => ({
    type: 'client.tokens_revoked' as const,
    cursor: '2',
    at: before,
    exp: before + 86_400,
    clientId: 'c1',
    before,
  });

  it('refuses tokens issued at or before it, to that client only, and never moves back', () => {
    const state = new TokenState();
    state.apply(kill(1000));
    expect(state.isRevokedForClient('c1', 999)).toBe(true);
    expect(state.isRevokedForClient('c1', 1000)).toBe(true);
    expect(state.isRevokedForClient('c1', 1001)).toBe(false);
    expect(state.isRevokedForClient('c2', 999)).toBe(false);
    state.apply(kill(500));
    expect(state.isRevokedForClient('c1', 999)).toBe(true);
    state.prune(1000 + 86_400);
    expect(state.isRevokedForClient('c1', 999)).toBe(false);
  });
});
