import { parseScopeList } from '../clients/client-registry.js';
import { optionalExpiry, parseFutureIsoTime } from '../lib/iso-time.js';
import { describePat } from '../tokens/pats.js';
import { BUILT_IN_ROLES } from '../tokens/roles.js';
import { type OperationContext, runAudited } from './context.js';

/** What a PAT is described as, everywhere (CLI, admin API, page): never the token or its hash. */
export type PatDescription = ReturnType<typeof describePat>;

/** A new PAT, by the neutral field names of the admin API. */
export interface NewPatInput {
  name: string;
  role: string;
  /** Space-separated; narrows the role's scopes. */
  scope?: string | undefined;
  /** ISO 8601; default `patDefaultTtlSeconds` from now. */
  expires?: string | undefined;
}

/** An authorisation: for the JSON API, the web page or both (a missing boolean is false). */
export interface AuthorisePatInput {
  api?: boolean | undefined;
  web?: boolean | undefined;
  /** ISO 8601: a shorter lifetime. */
  expires?: string | undefined;
}

/** Creates a PAT, pending until authorised; the token is returned once. */
export async function createPat(
  ctx: OperationContext,
  input: NewPatInput,
): Promise<PatDescription & { token: string }> {
  // Refused, the target is the submitted name: no id was made.
  return runAudited(ctx, 'pat.create', input.name, async () => {
    const { record, token } = await ctx.gk.pats.create({
      name: input.name,
      role: input.role,
      scopes: parseScopeList(input.scope),
      ...optionalExpiry(input.expires, 'expires', ctx.now),
    });
    const { id, ...rest } = describePat(record, ctx.now);
    return {
      result: { id, token, ...rest },
      target: record.id,
      detail: { name: record.name, role: record.role, scope: record.scopes.join(' ') },
    };
  });
}

/** The first admin token: role admin, authorised for the API and the web page; shown once. */
export async function createAdminToken(
  ctx: OperationContext,
  input: { name?: string | undefined } = {},
): Promise<PatDescription & { token: string }> {
  const name = input.name ?? 'admin';
  return runAudited(ctx, 'admin_token.create', name, async () => {
    const { record, token } = await ctx.gk.pats.createAdminToken(name);
    const { id, ...rest } = describePat(record, ctx.now);
    return { result: { id, token, ...rest }, target: record.id, detail: { name: record.name } };
  });
}

export async function listPats(ctx: OperationContext): Promise<PatDescription[]> {
  return (await ctx.gk.pats.list()).map((p) => describePat(p, ctx.now));
}

/**
 * AUTHORISE for the JSON API and/or the web page, optionally with a shorter
 * lifetime (a lifetime shortened earlier stays shortened).
 */
export async function authorisePat(
  ctx: OperationContext,
  id: string,
  input: AuthorisePatInput,
): Promise<PatDescription> {
  const api = input.api === true;
  const web = input.web === true;
  return runAudited(ctx, 'pat.authorise', id, async () => {
    const pat = await ctx.gk.pats.authorise(id, {
      api,
      web,
      ...(input.expires === undefined
        ? {}
        : { until: parseFutureIsoTime(input.expires, 'expires', ctx.now) }),
    });
    return {
      result: describePat(pat, ctx.now),
      detail: { api, web, ...(input.expires === undefined ? {} : { expires: input.expires }) },
    };
  });
}

/** REVOKE: every later request with the PAT is rejected. */
export async function revokePat(ctx: OperationContext, id: string): Promise<PatDescription> {
  return runAudited(ctx, 'pat.revoke', id, async () => {
    const pat = await ctx.gk.pats.revoke(id);
    return { result: describePat(pat, ctx.now), detail: { name: pat.name } };
  });
}

/** The role names a PAT may have: the built-in ones and the configured ones. */
export function patRoleNames(ctx: OperationContext): string[] {
  return Object.keys({ ...BUILT_IN_ROLES, ...ctx.gk.config.roles });
}
