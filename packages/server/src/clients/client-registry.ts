import { InvalidFieldError, UnknownIdError } from '../errors.js';
import { type Clock, nowSeconds } from '../lib/clock.js';
import { isoOrNull } from '../lib/iso-time.js';
import { assertPrintable } from '../lib/printable.js';
import { isScopeToken } from '../lib/scope-token.js';
import { generateId, generateSecret, hashSecret } from '../secrets/secret-hash.js';
import type { ClientAuthMethod, ClientPolicyUpdate, ClientRecord, Store } from '../store/types.js';

export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
];

export interface NewClient {
  name: string;
  scopes?: readonly string[];
  audiences?: readonly string[];
  grantTypes?: readonly string[];
  authMethod?: string;
  accessTokenTtlSeconds?: number | null;
  tokenBudgetPerMinute?: number | null;
  reuseTokens?: boolean;
  /** RFC 7662 §4: may introspect every token. */
  resourceServer?: boolean;
}

function checkBudget(budget: number | null | undefined): void {
  if (
    budget !== null &&
    budget !== undefined &&
    (!Number.isInteger(budget) || budget < 1 || budget > 1_000_000)
  ) {
    throw new InvalidFieldError(
      'token_budget',
      'must be a whole number of tokens a minute from 1 to 1000000',
    );
  }
}

/** A space-separated list of scope tokens (RFC 6749 §3.3), as `field` names it. */
export function parseScopeList(text: string | undefined, field = 'scope'): string[] {
  if (text === undefined) return [];
  const scopes = [...new Set(text.split(' ').filter(Boolean))];
  for (const s of scopes) {
    if (!isScopeToken(s)) {
      throw new InvalidFieldError(
        field,
        `has an invalid entry ${JSON.stringify(s)}`,
        'has an invalid entry',
      );
    }
  }
  return scopes;
}

function checkNewClient(
  input: NewClient,
  ttlBounds: { min: number; max: number },
  supportedGrantTypes: readonly string[],
) {
  const name = input.name.trim();
  if (name === '' || name.length > 200)
    throw new InvalidFieldError('name', 'must be 1 to 200 characters');
  assertPrintable(name, 'client name');
  const authMethod = input.authMethod ?? 'client_secret_basic';
  if (!CLIENT_AUTH_METHODS.includes(authMethod as ClientAuthMethod)) {
    throw new InvalidFieldError('auth', `must be one of ${CLIENT_AUTH_METHODS.join(', ')}`);
  }
  const grantTypes = [...new Set(input.grantTypes ?? ['client_credentials'])];
  for (const g of grantTypes) {
    if (!supportedGrantTypes.includes(g)) {
      throw new InvalidFieldError(
        'grants',
        `has an unsupported grant type ${JSON.stringify(g)} (supported: ${supportedGrantTypes.join(', ')})`,
        `has an unsupported grant type (supported: ${supportedGrantTypes.join(', ')})`,
      );
    }
  }
  if (grantTypes.length === 0)
    throw new InvalidFieldError('grants', 'must name at least one grant type');
  const ttl = input.accessTokenTtlSeconds ?? null;
  if (ttl !== null && (!Number.isInteger(ttl) || ttl < ttlBounds.min || ttl > ttlBounds.max)) {
    throw new InvalidFieldError(
      'ttl',
      `must be a whole number of seconds from ${ttlBounds.min} to ${ttlBounds.max}`,
    );
  }
  for (const a of input.audiences ?? []) {
    if (!isScopeToken(a)) {
      throw new InvalidFieldError(
        'audience',
        `has an invalid audience ${JSON.stringify(a)}`,
        'has an invalid audience',
      );
    }
  }
  return { name, authMethod: authMethod as ClientAuthMethod, grantTypes, ttl };
}

/** What {@link ClientRegistry} uses. */
export interface ClientRegistryDeps {
  store: Pick<Store, 'clients' | 'revocations'>;
  pepper: Buffer;
  clock: Clock;
  ttlBounds: { min: number; max: number };
  grantTypes: readonly string[];
}

/**
 * Registers, rotates and deletes clients; the secret is returned once and stored as a keyed hash.
 * A client may be registered for the `grantTypes` the token endpoint serves (grants/index.ts).
 */
export class ClientRegistry {
  constructor(private readonly deps: ClientRegistryDeps) {}

  /**
   * The kill switch, after a leaked secret: its refresh tokens, and every
   * access token issued to it until now, are revoked at once and the feed
   * tells verifiers. The client itself stays (rotate its secret next).
   */
  async revokeTokens(clientId: string): Promise<void> {
    await this.get(clientId);
    await this.deps.store.revocations.revokeClientTokens(
      clientId,
      nowSeconds(this.deps.clock),
      this.deps.ttlBounds.max,
    );
  }

  async create(input: NewClient): Promise<{ client: ClientRecord; secret: string }> {
    const checked = checkNewClient(input, this.deps.ttlBounds, this.deps.grantTypes);
    checkBudget(input.tokenBudgetPerMinute);
    const secret = generateSecret();
    const now = nowSeconds(this.deps.clock);
    const client: ClientRecord = {
      clientId: generateId(),
      name: checked.name,
      secretHash: hashSecret(this.deps.pepper, secret),
      authMethod: checked.authMethod,
      grantTypes: checked.grantTypes,
      scopes: [...new Set(input.scopes ?? [])],
      audiences: [...new Set(input.audiences ?? [])],
      accessTokenTtlSeconds: checked.ttl,
      createdAt: now,
      updatedAt: now,
      tokenBudgetPerMinute: input.tokenBudgetPerMinute ?? null,
      reuseTokens: input.reuseTokens ?? false,
      deprecatedAt: null,
      sunsetAt: null,
      lastUsedAt: null,
      resourceServer: input.resourceServer ?? false,
    };
    await this.deps.store.clients.insert(client);
    return { client, secret };
  }

  async get(clientId: string): Promise<ClientRecord> {
    const client = await this.deps.store.clients.findById(clientId);
    if (client === undefined)
      throw new UnknownIdError(`no client with id ${clientId}`, 'no client with that id');
    return client;
  }

  list(): Promise<ClientRecord[]> {
    return this.deps.store.clients.list();
  }

  async rotateSecret(clientId: string): Promise<{ clientId: string; secret: string }> {
    const secret = generateSecret();
    const updated = await this.deps.store.clients.updateSecretHash(
      clientId,
      hashSecret(this.deps.pepper, secret),
      nowSeconds(this.deps.clock),
    );
    if (!updated)
      throw new UnknownIdError(`no client with id ${clientId}`, 'no client with that id');
    return { clientId, secret };
  }

  /** Changes budget, token reuse or deprecation; returns the updated client. */
  async update(clientId: string, update: ClientPolicyUpdate): Promise<ClientRecord> {
    checkBudget(update.tokenBudgetPerMinute);
    if (
      !(await this.deps.store.clients.updatePolicy(clientId, update, nowSeconds(this.deps.clock)))
    ) {
      throw new UnknownIdError(`no client with id ${clientId}`, 'no client with that id');
    }
    return this.get(clientId);
  }

  /** Deletes the client, revoking its tokens first: none outlives it. */
  async delete(clientId: string): Promise<void> {
    await this.revokeTokens(clientId);
    if (!(await this.deps.store.clients.delete(clientId))) {
      throw new UnknownIdError(`no client with id ${clientId}`, 'no client with that id');
    }
  }
}

/** The public view of a client: never its secret or hash. */
export function describeClient(c: ClientRecord) {
  return {
    client_id: c.clientId,
    name: c.name,
    scope: c.scopes.join(' '),
    grant_types: c.grantTypes,
    token_endpoint_auth_method: c.authMethod,
    audiences: c.audiences,
    access_token_ttl_seconds: c.accessTokenTtlSeconds,
    token_budget_per_minute: c.tokenBudgetPerMinute,
    reuse_tokens: c.reuseTokens,
    resource_server: c.resourceServer,
    deprecated: c.deprecatedAt !== null,
    sunset_at: isoOrNull(c.sunsetAt),
    last_used_at: isoOrNull(c.lastUsedAt),
    // A deprecated client still asking for tokens is what a migration has to chase.
    in_use_since_deprecation:
      c.deprecatedAt !== null && c.lastUsedAt !== null && c.lastUsedAt >= c.deprecatedAt,
    created_at: isoOrNull(c.createdAt),
    updated_at: isoOrNull(c.updatedAt),
  };
}
