import { InvalidFieldError } from '../errors.js';
import { rotateSigningKeys } from '../keys/key-ring.js';
import { publishedUntil } from '../keys/signing-key.js';
import { isoOrNull } from '../lib/iso-time.js';
import type { SigningKeyRecord } from '../store/types.js';
import { type OperationContext, runAudited } from './context.js';

export type SigningKeyStatus = 'next' | 'active' | 'retired';

/** What a signing key is described as, everywhere (CLI, admin API): public information only. */
export interface SigningKeyDescription {
  /** RFC 7638 thumbprint of the public key. */
  kid: string;
  alg: string;
  /** 1, 2, 3… in creation order (the enectiva `key` claim). */
  number: number | null;
  /** `next`: published, not signing yet; `active`: signing; `retired`: no longer signing. */
  status: SigningKeyStatus;
  created_at: string | null;
  /** When it starts signing. */
  active_from: string | null;
  /** When it stops signing; null while current. */
  retired_at: string | null;
  /** When it leaves the JWKS; null while current. */
  published_until: string | null;
}

function describeSigningKey(
  k: SigningKeyRecord,
  now: number,
  maxTtlSeconds: number,
): SigningKeyDescription {
  const status: SigningKeyStatus =
    k.activeFrom > now ? 'next' : k.retiredAt === null || k.retiredAt > now ? 'active' : 'retired';
  return {
    kid: k.kid,
    alg: k.alg,
    number: k.number,
    status,
    created_at: isoOrNull(k.createdAt),
    active_from: isoOrNull(k.activeFrom),
    retired_at: isoOrNull(k.retiredAt),
    published_until: isoOrNull(publishedUntil(k, maxTtlSeconds)),
  };
}

export async function listSigningKeys(ctx: OperationContext): Promise<SigningKeyDescription[]> {
  const maxTtl = ctx.gk.config.accessTokenMaxTtlSeconds;
  return (await ctx.gk.store.signingKeys.list()).map((k) => describeSigningKey(k, ctx.now, maxTtl));
}

export interface RotateSigningKeysInput {
  /** Seconds until the new keys sign; default `keyActivationDelaySeconds`. */
  activate_in?: number | undefined;
}

export interface SigningKeyRotation {
  created: SigningKeyDescription[];
  /** The kids that stop signing when the new keys start. */
  retired: string[];
  /** Keys retired long enough ago to be deleted for good. */
  deleted: number;
}

/**
 * Adds a new key per algorithm: published now, signing after the activation
 * delay; the keys it replaces stop signing then. Keys retired more than the
 * longest token lifetime ago are deleted.
 */
export async function rotateKeys(
  ctx: OperationContext,
  input: RotateSigningKeysInput = {},
): Promise<SigningKeyRotation> {
  // The new kids are not known before: the target is empty until they are.
  return runAudited(ctx, 'keys.rotate', '', async () => {
    const delay = input.activate_in ?? ctx.gk.config.keyActivationDelaySeconds;
    if (!Number.isInteger(delay) || delay < 0 || delay > 999_999_999) {
      throw new InvalidFieldError('activate_in', 'must be a whole number of seconds');
    }
    const maxTtl = ctx.gk.config.accessTokenMaxTtlSeconds;
    const result = await rotateSigningKeys({
      store: ctx.gk.store,
      keyEncryptionKey: ctx.gk.secrets.keyEncryptionKey,
      now: ctx.now,
      activationDelaySeconds: delay,
      maxTokenTtlSeconds: maxTtl,
    });
    // This node at once; the others within keyPollIntervalSeconds.
    await ctx.gk.keys.refresh();
    // As stored: the store numbers the keys on insert.
    const stored = new Map((await ctx.gk.store.signingKeys.list()).map((k) => [k.kid, k]));
    return {
      result: {
        created: result.created.map((k) =>
          describeSigningKey(stored.get(k.kid) ?? k, ctx.now, maxTtl),
        ),
        retired: result.retired,
        deleted: result.deleted,
      },
      target: result.created.map((k) => k.kid).join(' '),
      detail: { activate_in: delay, retired: result.retired, deleted: result.deleted },
    };
  });
}
