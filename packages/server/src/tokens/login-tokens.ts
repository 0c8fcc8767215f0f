import { randomBytes } from 'node:crypto';
import { InvalidFieldError, UnknownIdError } from '../errors.js';
import { type Clock, nowSeconds } from '../lib/clock.js';
import { isoOrNull } from '../lib/iso-time.js';
import { canonicalUuid } from '../lib/uuid.js';
import { hashSecret } from '../secrets/secret-hash.js';
import type { LoginTokenRecord, Store } from '../store/types.js';

/** 256 random bits as 64 lowercase hex characters (the enectiva login-token form). */
export const LOGIN_TOKEN_FORMAT = /^[0-9a-f]{64}$/;

export interface NewLoginToken {
  customerUuid: string;
  subjectUuid?: string;
  scopes: readonly string[];
  expiresAt?: number;
}

/** What {@link LoginTokens} uses. */
export interface LoginTokensDeps {
  store: Pick<Store, 'loginTokens'>;
  pepper: Buffer;
  clock: Clock;
}

/**
 * Long-lived credentials an admin issues to a customer, exchanged for
 * 5-minute access tokens at `POST /access_tokens`. Stored as a keyed hash,
 * looked up by it: the hash of a 256-bit secret is as good an index as any.
 */
export class LoginTokens {
  constructor(private readonly deps: LoginTokensDeps) {}

  async create(input: NewLoginToken): Promise<{ record: LoginTokenRecord; token: string }> {
    const customerUuid = canonicalUuid(input.customerUuid);
    if (customerUuid === undefined) throw new InvalidFieldError('customer_uuid', 'must be a UUID');
    const subjectUuid =
      input.subjectUuid === undefined ? customerUuid : canonicalUuid(input.subjectUuid);
    if (subjectUuid === undefined) throw new InvalidFieldError('subject_uuid', 'must be a UUID');
    const token = randomBytes(32).toString('hex');
    const record = await this.deps.store.loginTokens.insert({
      customerUuid,
      subjectUuid,
      tokenHash: hashSecret(this.deps.pepper, token),
      scopes: [...new Set(input.scopes)],
      createdAt: nowSeconds(this.deps.clock),
      expiresAt: input.expiresAt ?? null,
    });
    return { record, token };
  }

  list(filter: { customerUuid?: string } = {}): Promise<LoginTokenRecord[]> {
    return this.deps.store.loginTokens.list(filter);
  }

  /** Revokes the token and every live access token derived from it. */
  async revoke(id: number): Promise<'revoked' | 'already_revoked'> {
    const result = await this.deps.store.loginTokens.revoke(id, nowSeconds(this.deps.clock));
    if (result === 'not_found')
      throw new UnknownIdError(`no login token with id ${id}`, 'no login token with that id');
    return result;
  }

  /**
   * The live login token a customer presents, or undefined: unknown, of
   * another customer, revoked or expired all look the same to the caller.
   */
  async authenticate(customerUuid: string, token: string): Promise<LoginTokenRecord | undefined> {
    if (!LOGIN_TOKEN_FORMAT.test(token)) return undefined;
    const record = await this.deps.store.loginTokens.findByHash(
      hashSecret(this.deps.pepper, token),
    );
    const now = nowSeconds(this.deps.clock);
    if (
      record === undefined ||
      record.customerUuid !== customerUuid ||
      record.revokedAt !== null ||
      (record.expiresAt !== null && record.expiresAt <= now)
    ) {
      return undefined;
    }
    return record;
  }
}

export function loginTokenStatus(
  t: LoginTokenRecord,
  now: number,
): 'active' | 'revoked' | 'expired' {
  if (t.revokedAt !== null) return 'revoked';
  if (t.expiresAt !== null && t.expiresAt <= now) return 'expired';
  return 'active';
}

/** The public view of a login token: never the token or its hash. */
export function describeLoginToken(t: LoginTokenRecord, now: number) {
  return {
    id: t.id,
    customer_uuid: t.customerUuid,
    subject_uuid: t.subjectUuid,
    scope: t.scopes.join(' '),
    status: loginTokenStatus(t, now),
    created_at: isoOrNull(t.createdAt),
    expires_at: isoOrNull(t.expiresAt),
    revoked_at: isoOrNull(t.revokedAt),
    last_used_at: isoOrNull(t.lastUsedAt),
  };
}
