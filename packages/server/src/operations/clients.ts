import { describeClient, parseScopeList } from '../clients/client-registry.js';
import { InvalidFieldError } from '../errors.js';
import { parseFutureIsoTime } from '../lib/iso-time.js';
import type { ClientPolicyUpdate } from '../store/types.js';
import { type OperationContext, runAudited } from './context.js';

/** What a client is described as, everywhere (CLI, admin API, page). */
export type ClientDescription = ReturnType<typeof describeClient>;

/** A new client, by the neutral field names of the admin API. */
export interface NewClientInput {
  name: string;
  /** Space-separated. */
  scope?: string | undefined;
  audience?: string | undefined;
  grants?: string | undefined;
  auth?: string | undefined;
  ttl?: number | undefined;
  token_budget?: number | undefined;
  reuse_tokens?: boolean | undefined;
  resource_server?: boolean | undefined;
}

/** A change of a client's policy; at least one field. */
export interface ClientUpdateInput {
  /** Token requests a minute, or null for the server's default. */
  token_budget?: number | null | undefined;
  reuse_tokens?: boolean | undefined;
  /** true: deprecated from now (token responses carry Deprecation); false: no longer. */
  deprecated?: boolean | undefined;
  /** With `deprecated: true`: when the client stops working, ISO 8601. */
  sunset?: string | undefined;
}

export async function createClient(
  ctx: OperationContext,
  input: NewClientInput,
): Promise<ClientDescription & { client_secret: string }> {
  // Refused, the target is the submitted name: no id was made.
  return runAudited(ctx, 'client.create', input.name, async () => {
    const { client, secret } = await ctx.gk.clients.create({
      name: input.name,
      scopes: parseScopeList(input.scope, 'scope'),
      audiences: parseScopeList(input.audience, 'audience'),
      ...(input.grants === undefined ? {} : { grantTypes: parseScopeList(input.grants, 'grants') }),
      ...(input.auth === undefined ? {} : { authMethod: input.auth }),
      ...(input.ttl === undefined ? {} : { accessTokenTtlSeconds: input.ttl }),
      ...(input.token_budget === undefined ? {} : { tokenBudgetPerMinute: input.token_budget }),
      ...(input.reuse_tokens === true ? { reuseTokens: true } : {}),
      ...(input.resource_server === true ? { resourceServer: true } : {}),
    });
    const { client_id, ...rest } = describeClient(client);
    return {
      result: { client_id, client_secret: secret, ...rest },
      target: client.clientId,
      detail: { name: client.name, resource_server: client.resourceServer },
    };
  });
}

export async function listClients(ctx: OperationContext): Promise<ClientDescription[]> {
  return (await ctx.gk.clients.list()).map(describeClient);
}

export async function showClient(ctx: OperationContext, id: string): Promise<ClientDescription> {
  return describeClient(await ctx.gk.clients.get(id));
}

/** A new secret; the old one stops working at once (the client cache forgets it). */
export async function rotateClientSecret(
  ctx: OperationContext,
  id: string,
): Promise<{ client_id: string; client_secret: string }> {
  return runAudited(ctx, 'client.rotate_secret', id, async () => {
    const { clientId, secret } = await ctx.gk.clients.rotateSecret(id);
    ctx.gk.clientCache.forget(id);
    return { result: { client_id: clientId, client_secret: secret } };
  });
}

function policyUpdate(input: ClientUpdateInput, now: number): ClientPolicyUpdate {
  const update: ClientPolicyUpdate = {};
  if (input.token_budget !== undefined) update.tokenBudgetPerMinute = input.token_budget;
  if (input.reuse_tokens !== undefined) update.reuseTokens = input.reuse_tokens;
  if (input.deprecated === true) update.deprecatedAt = now;
  if (input.deprecated === false) {
    update.deprecatedAt = null;
    update.sunsetAt = null;
  }
  if (input.sunset !== undefined) {
    if (input.deprecated !== true) throw new InvalidFieldError('sunset', 'goes with deprecated');
    update.sunsetAt = parseFutureIsoTime(input.sunset, 'sunset', now);
  }
  if (Object.keys(update).length === 0) {
    throw new InvalidFieldError(
      'update',
      'changes nothing: give token_budget, reuse_tokens or deprecated',
    );
  }
  return update;
}

/** Changes the token budget, token reuse or deprecation. */
export async function updateClient(
  ctx: OperationContext,
  id: string,
  input: ClientUpdateInput,
): Promise<ClientDescription> {
  return runAudited(ctx, 'client.update', id, async () => {
    const update = policyUpdate(input, ctx.now);
    const client = await ctx.gk.clients.update(id, update);
    ctx.gk.clientCache.forget(id);
    return {
      result: describeClient(client),
      detail: {
        ...(input.token_budget === undefined ? {} : { token_budget: input.token_budget }),
        ...(input.reuse_tokens === undefined ? {} : { reuse_tokens: input.reuse_tokens }),
        ...(input.deprecated === undefined ? {} : { deprecated: input.deprecated }),
        ...(input.sunset === undefined ? {} : { sunset: input.sunset }),
      },
    };
  });
}

/** The kill switch (after a leaked secret): every token issued to the client until now. */
export async function revokeClientTokens(
  ctx: OperationContext,
  id: string,
): Promise<{ client_id: string; tokens_revoked: true }> {
  return runAudited(ctx, 'client.revoke_tokens', id, async () => {
    await ctx.gk.clients.revokeTokens(id);
    ctx.gk.clientCache.forget(id);
    return { result: { client_id: id, tokens_revoked: true } };
  });
}

/** Deletes the client, revoking its tokens first. */
export async function deleteClient(
  ctx: OperationContext,
  id: string,
): Promise<{ client_id: string; deleted: true }> {
  return runAudited(ctx, 'client.delete', id, async () => {
    await ctx.gk.clients.delete(id);
    ctx.gk.clientCache.forget(id);
    return { result: { client_id: id, deleted: true } };
  });
}
