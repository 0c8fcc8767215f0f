import { randomBytes, randomUUID } from 'node:crypto';
import type { Gridkey } from '../gridkey.js';
import { hashSecret } from '../secrets/secret-hash.js';
import type { DerivedAccessToken, RefreshTokenRecord } from '../store/types.js';

/** Prefixed so a secret scanner can tell a leaked gridkey refresh token. */
export const REFRESH_TOKEN_PREFIX = 'gkr_';
const FORMAT = /^gkr_[A-Za-z0-9_-]{43}$/;

export const isRefreshTokenShaped = (token: string) => FORMAT.test(token);

/** A new refresh token: the first of a family, or the successor of `previous`. */
export function newRefreshToken(
  gk: Gridkey,
  input: {
    clientId: string;
    userId: string;
    scopes: readonly string[];
    authTime: number;
    /** The instant the tokens issued with it carry. */
    issuedAt: number;
  },
  previous?: RefreshTokenRecord,
): { token: string; record: RefreshTokenRecord } {
  const token = `${REFRESH_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const now = input.issuedAt;
  const familyExpiresAt = previous?.familyExpiresAt ?? now + gk.config.refreshTokenFamilyMaxSeconds;
  return {
    token,
    record: {
      id: randomUUID(),
      tokenHash: hashSecret(gk.secrets.pepper, token),
      familyId: previous?.familyId ?? randomUUID(),
      clientId: input.clientId,
      userId: input.userId,
      scopes: [...input.scopes],
      authTime: input.authTime,
      createdAt: now,
      expiresAt: Math.min(now + gk.config.refreshTokenTtlSeconds, familyExpiresAt),
      familyExpiresAt,
      spentAt: null,
      revokedAt: null,
    },
  };
}

export async function findRefreshToken(
  gk: Gridkey,
  token: string,
): Promise<RefreshTokenRecord | undefined> {
  if (!isRefreshTokenShaped(token)) return undefined;
  return gk.store.refreshTokens.findByHash(hashSecret(gk.secrets.pepper, token));
}

/** Live: neither spent, revoked nor expired. */
export function isLive(record: RefreshTokenRecord, now: number): boolean {
  return (
    record.spentAt === null &&
    record.revokedAt === null &&
    record.expiresAt > now &&
    record.familyExpiresAt > now
  );
}

export type { DerivedAccessToken };
