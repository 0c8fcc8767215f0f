import { type FetchJsonOptions, fetchJson, isObject, UpstreamError } from './fetch-json.js';
import type { Settings } from './options.js';

export interface IssuerMetadata {
  jwksUri: string | undefined;
  introspectionEndpoint: string | undefined;
}

/**
 * RFC 8414 §3: the metadata URL inserts `/.well-known/oauth-authorization-server`
 * between the issuer's host and its path.
 */
export function metadataUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

const optionalUrl = (value: unknown): string | undefined =>
  typeof value === 'string' && /^https?:\/\//.test(value) ? value : undefined;

/** Reads the issuer's metadata and checks that it speaks for this issuer. */
export async function discover(issuer: string, options: FetchJsonOptions): Promise<IssuerMetadata> {
  const url = metadataUrl(issuer);
  const doc = await fetchJson(url, options);
  if (!isObject(doc)) throw new UpstreamError(`${url}: the metadata is not a JSON object`);
  // RFC 8414 §3.3: the issuer in the document must be identical to the one it was fetched for,
  // or an attacker's metadata could point at an attacker's key set.
  if (doc.issuer !== issuer) {
    throw new UpstreamError(`${url}: the metadata names another issuer`);
  }
  return {
    jwksUri: optionalUrl(doc.jwks_uri),
    introspectionEndpoint: optionalUrl(doc.introspection_endpoint),
  };
}

/**
 * The key-set and introspection URLs: configured, or else from the metadata,
 * which is read once. After a failure it is asked again at most once a
 * second, however many requests come in.
 */
export class IssuerEndpoints {
  private metadata: Promise<IssuerMetadata> | undefined;
  private failedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly settings: Readonly<Settings>,
    private readonly signal: AbortSignal,
  ) {}

  async jwksUri(): Promise<string> {
    if (this.settings.jwksUri !== undefined) return this.settings.jwksUri;
    const { jwksUri } = await this.load();
    if (jwksUri === undefined) throw new UpstreamError('the issuer metadata has no jwks_uri');
    return jwksUri;
  }

  async introspectionEndpoint(): Promise<string> {
    const configured = this.settings.introspection?.endpoint;
    if (configured !== undefined) return configured;
    const { introspectionEndpoint } = await this.load();
    if (introspectionEndpoint === undefined) {
      throw new UpstreamError('the issuer metadata has no introspection_endpoint');
    }
    return introspectionEndpoint;
  }

  private load(): Promise<IssuerMetadata> {
    if (this.metadata === undefined && Date.now() - this.failedAt < 1000) {
      return Promise.reject(new UpstreamError('the issuer metadata could not be read'));
    }
    this.metadata ??= discover(this.settings.issuer, {
      fetch: this.settings.fetch,
      timeoutMs: this.settings.jwks.timeoutMs,
      signal: this.signal,
    }).catch((err: unknown) => {
      this.metadata = undefined;
      this.failedAt = Date.now();
      throw err;
    });
    return this.metadata;
  }
}
