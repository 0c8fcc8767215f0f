import { parseScopeList } from '../clients/client-registry.js';
import { optionalExpiry } from '../lib/iso-time.js';
import { describeApiKey } from '../tokens/api-keys.js';
import { type OperationContext, runAudited } from './context.js';
import type { Revoked } from './login-tokens.js';

/** What an API key is described as, everywhere (CLI, admin API, page): its hint, never the key or its hash. */
export type ApiKeyDescription = ReturnType<typeof describeApiKey>;

/** A new API key, by the neutral field names of the admin API. */
export interface NewApiKeyInput {
  name: string;
  /** Space-separated. */
  scope?: string | undefined;
  /** ISO 8601; default none. */
  expires?: string | undefined;
}

/** Creates an API key (`gk_…`); the key is returned once. */
export async function createApiKey(
  ctx: OperationContext,
  input: NewApiKeyInput,
): Promise<ApiKeyDescription & { key: string }> {
  // Refused, the target is the submitted name: no id was made.
  return runAudited(ctx, 'api_key.create', input.name, async () => {
    const { record, key } = await ctx.gk.apiKeys.create({
      name: input.name,
      scopes: parseScopeList(input.scope),
      ...optionalExpiry(input.expires, 'expires', ctx.now),
    });
    const { id, ...rest } = describeApiKey(record, ctx.now);
    return { result: { id, key, ...rest }, target: record.id, detail: { name: record.name } };
  });
}

export async function listApiKeys(ctx: OperationContext): Promise<ApiKeyDescription[]> {
  return (await ctx.gk.apiKeys.list()).map((k) => describeApiKey(k, ctx.now));
}

/** Revokes the key: every later request with it is refused; revoking again says so. */
export async function revokeApiKey(ctx: OperationContext, id: string): Promise<Revoked<string>> {
  return runAudited(ctx, 'api_key.revoke', id, async () => {
    const result = await ctx.gk.apiKeys.revoke(id);
    return {
      result: {
        id,
        revoked: true as const,
        ...(result === 'already_revoked' ? { already_revoked: true as const } : {}),
      },
    };
  });
}
