import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { configuredIssuer, listenerUrl } from '../config/issuer.js';

/**
 * The issuer identifier: configured, or else the URL the server listens on
 * (known only after `listen`, e.g. with port 0).
 */
export function issuerResolver(app: FastifyInstance, configured: string | undefined): () => string {
  let issuer = configuredIssuer(configured);
  return () => {
    if (issuer !== undefined) return issuer;
    const address = app.server.address() as AddressInfo | null;
    if (address === null || typeof address === 'string') return 'http://localhost';
    issuer = listenerUrl(address.address, address.port);
    return issuer;
  };
}
