import type { Clock } from '../lib/clock.js';
import type { ClientRecord, Store } from '../store/types.js';

interface Entry {
  client: ClientRecord | undefined;
  expiresAtMs: number;
}

/** What {@link ClientCache} uses. */
export interface ClientCacheDeps {
  store: Pick<Store, 'clients'>;
  clock: Clock;
  ttlMs: number;
  /** Past it, the cache starts over. */
  maxEntries: number;
}

/**
 * Client records read by the token endpoint, kept for a short time so a busy
 * client costs one database read per TTL instead of one per request. A
 * secret rotated or client deleted elsewhere takes effect within the TTL;
 * the map is bounded, so the number of registered clients does not matter.
 */
export class ClientCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: ClientCacheDeps) {}

  async get(clientId: string): Promise<ClientRecord | undefined> {
    const now = this.deps.clock.now();
    const hit = this.entries.get(clientId);
    if (hit !== undefined && hit.expiresAtMs > now) return hit.client;
    const client = await this.deps.store.clients.findById(clientId);
    if (this.deps.ttlMs > 0) {
      if (this.entries.size >= this.deps.maxEntries) this.entries.clear();
      this.entries.set(clientId, { client, expiresAtMs: now + this.deps.ttlMs });
    }
    return client;
  }

  forget(clientId: string): void {
    this.entries.delete(clientId);
  }
}
