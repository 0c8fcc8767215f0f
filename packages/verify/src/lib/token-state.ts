import type { FeedEvent } from './feed-events.js';

export interface PatState {
  api: boolean;
  web: boolean;
  /** Unix seconds the authorisation ends, null: at the PAT's `exp`. */
  until: number | null;
  revoked: boolean;
  exp: number;
}

/**
 * What the feed has told us, in memory: revoked jtis, each PAT's latest
 * state, revoked API-key ids. Every entry carries the event's `exp` and is
 * dropped past it (the token it is about is expired by then).
 */
export class TokenState {
  private readonly revokedJtis = new Map<string, number>();
  private readonly pats = new Map<string, PatState>();
  private readonly revokedKeys = new Map<string, number>();
  /** Clients whose every access token issued at or before `before` is revoked (the kill switch). */
  private readonly revokedClients = new Map<string, { before: number; exp: number }>();

  /** Applies one event; the newest event of a PAT's jti wins, since the feed is in commit order. */
  apply(event: FeedEvent): void {
    switch (event.type) {
      case 'access_token.revoked':
        this.revokedJtis.set(event.jti, event.exp);
        return;
      case 'pat.state':
        // A revoked PAT stays revoked, whatever a later event says.
        if (this.pats.get(event.jti)?.revoked === true) return;
        this.pats.set(event.jti, {
          api: event.api,
          web: event.web,
          until: event.until,
          revoked: event.revoked,
          exp: event.exp,
        });
        return;
      case 'api_key.revoked':
        this.revokedKeys.set(event.keyId, event.exp);
        return;
      case 'client.tokens_revoked': {
        const known = this.revokedClients.get(event.clientId);
        this.revokedClients.set(event.clientId, {
          before: Math.max(event.before, known?.before ?? 0),
          exp: Math.max(event.exp, known?.exp ?? 0),
        });
        return;
      }
      case 'signing_key.removed':
        return;
    }
  }

  /**
   * After the feed was reset (its database restored): PAT states are read
   * again from the snapshot, so a PAT the server no longer knows as
   * authorised is pending again. Revocations are kept: they only refuse.
   */
  forgetPatStates(): void {
    for (const [jti, state] of this.pats) if (!state.revoked) this.pats.delete(jti);
  }

  isRevokedJti(jti: string): boolean {
    return this.revokedJtis.has(jti);
  }

  patState(jti: string): PatState | undefined {
    return this.pats.get(jti);
  }

  /** Whether a client's kill switch covers an access token it was issued at `iat`. */
  isRevokedForClient(clientId: string, iat: number): boolean {
    const revoked = this.revokedClients.get(clientId);
    return revoked !== undefined && iat <= revoked.before;
  }

  isRevokedKey(keyId: string): boolean {
    return this.revokedKeys.has(keyId);
  }

  prune(nowSeconds: number): void {
    for (const [jti, exp] of this.revokedJtis) if (exp <= nowSeconds) this.revokedJtis.delete(jti);
    for (const [jti, s] of this.pats) if (s.exp <= nowSeconds) this.pats.delete(jti);
    for (const [id, exp] of this.revokedKeys) if (exp <= nowSeconds) this.revokedKeys.delete(id);
    for (const [id, r] of this.revokedClients)
      if (r.exp <= nowSeconds) this.revokedClients.delete(id);
  }
}
