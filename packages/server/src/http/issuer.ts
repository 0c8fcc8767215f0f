import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * The issuer identifier: configured, or else the URL the server listens on
 * (known only after `listen`, e.g. with port 0).
 */
export function issuerResolver(app: FastifyInstance, configured: string | undefined): () => string {
  let issuer = configured?.replace(/\/+$/, '');
  return () => {
    if (issuer !== undefined) return issuer;
    const address = app.server.address() as AddressInfo | null;
    if (address === null || typeof address === 'string') return 'http://localhost';
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    issuer = `http://${host}:${address.port}`;
    return issuer;
  };
}
