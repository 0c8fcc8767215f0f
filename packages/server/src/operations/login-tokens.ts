import { parseScopeList } from '../clients/client-registry.js';
import { InvalidFieldError, UnknownIdError } from '../errors.js';
import { optionalExpiry } from '../lib/iso-time.js';
import { canonicalUuid } from '../lib/uuid.js';
import { describeLoginToken } from '../tokens/login-tokens.js';
import { type OperationContext, runAudited } from './context.js';

/** What a login token is described as, everywhere (CLI, admin API, page): never the token or its hash. */
export type LoginTokenDescription = ReturnType<typeof describeLoginToken>;

/** A new login token, by the neutral field names of the admin API. */
export interface NewLoginTokenInput {
  /** Any case; stored lower case. */
  customer_uuid: string;
  /** The `sub` of its access tokens; default the customer. */
  subject_uuid?: string | undefined;
  /** Space-separated permissions its access tokens carry. */
  scope?: string | undefined;
  /** ISO 8601; default none. */
  expires?: string | undefined;
}

/** What revoking a login token or an API key answers; revoking again says so. */
export interface Revoked<Id> {
  id: Id;
  revoked: true;
  already_revoked?: true;
}

/** A login token id as the store numbers them: 1, 2, 3… */
const LOGIN_TOKEN_ID = /^[1-9][0-9]{0,14}$/;

/** Issues a customer a login token (the enectiva exchange's credential); the token is returned once. */
export async function createLoginToken(
  ctx: OperationContext,
  input: NewLoginTokenInput,
): Promise<LoginTokenDescription & { login_token: string }> {
  // Refused, the target is the submitted customer: no id was made.
  return runAudited(ctx, 'login_token.create', input.customer_uuid, async () => {
    const { record, token } = await ctx.gk.loginTokens.create({
      customerUuid: input.customer_uuid,
      scopes: parseScopeList(input.scope),
      ...(input.subject_uuid === undefined ? {} : { subjectUuid: input.subject_uuid }),
      ...optionalExpiry(input.expires, 'expires', ctx.now),
    });
    const { id, customer_uuid, ...rest } = describeLoginToken(record, ctx.now);
    return {
      result: { id, customer_uuid, login_token: token, ...rest },
      target: String(record.id),
      detail: { customer_uuid: record.customerUuid },
    };
  });
}

/** Every login token, or one customer's (`customer_uuid`, any case). */
export async function listLoginTokens(
  ctx: OperationContext,
  filter: { customer_uuid?: string | undefined } = {},
): Promise<LoginTokenDescription[]> {
  const customerUuid =
    filter.customer_uuid === undefined ? undefined : canonicalUuid(filter.customer_uuid);
  if (filter.customer_uuid !== undefined && customerUuid === undefined)
    throw new InvalidFieldError('customer_uuid', 'must be a UUID');
  const rows = await ctx.gk.loginTokens.list(customerUuid === undefined ? {} : { customerUuid });
  return rows.map((t) => describeLoginToken(t, ctx.now));
}

/**
 * Revokes the login token (by its id, as a number or its decimal text) and
 * every live access token exchanged from it; revoking again says so.
 */
export async function revokeLoginToken(
  ctx: OperationContext,
  idText: string | number,
): Promise<Revoked<number>> {
  const text = String(idText);
  return runAudited(ctx, 'login_token.revoke', text, async () => {
    if (!LOGIN_TOKEN_ID.test(text))
      throw new UnknownIdError(`no login token with id ${text}`, 'no login token with that id');
    const id = Number(text);
    const result = await ctx.gk.loginTokens.revoke(id);
    return {
      result: {
        id,
        revoked: true as const,
        ...(result === 'already_revoked' ? { already_revoked: true as const } : {}),
      },
      target: String(id),
    };
  });
}
