import type { Config } from './schema.js';

/** The configured issuer without its trailing `/`s, so `iss` and the metadata URLs agree. */
export function configuredIssuer(configured: string | undefined): string | undefined {
  return configured?.replace(/\/+$/, '');
}

/** The URL of a listener: `http://host:port`, an IPv6 address in brackets (RFC 3986 §3.2.2). */
export function listenerUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The issuer a server with this config uses: the configured one, or else the
 * URL it listens on. What a command run without a server (the CLI's `pat
 * create`) puts in `iss`, so that its tokens name the same issuer as the
 * server's; a server on port 0 learns its URL only once listening.
 */
export function issuerOf(config: Pick<Config, 'issuer' | 'host' | 'port'>): string {
  return configuredIssuer(config.issuer) ?? listenerUrl(config.host, config.port);
}
