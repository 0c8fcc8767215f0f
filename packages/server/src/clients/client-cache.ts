import { DEFAULTS } from '../config/defaults.js';
import type { Clock } from '../lib/clock.js';
import type { ClientRecord, Store } from '../store/types.js';

interface Entry {
  client: ClientRecord | undefined;
  expiresAtMs: number;
}

/**
 * Client records read by the token endpoint, kept for a short time so a busy
 * client costs one database read per TTL instead of one per request. A
 * secret rotated or client deleted elsewhere takes effect within the TTL;
 * the map is bounded, so the number of registered clients does not matter.
 */
export class ClientCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxEntries: number = DEFAULTS.clientCacheMaxEntries,
  ) {}

  async get(clientId: string): Promise<ClientRecord | undefined> {
    const now = this.clock.now();
    const hit = this.entries.get(clientId);
    if (hit !== undefined && hit.expiresAtMs > now) return hit.client;
    const client = await this.store.clients.findById(clientId);
    if (this.ttlMs > 0) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(clientId, { client, expiresAtMs: now + this.ttlMs });
    }
    return client;
  }

  forget(clientId: string): void {
    this.entries.delete(clientId);
  }
}
