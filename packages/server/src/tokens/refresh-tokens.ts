import { randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { DerivedKeys } from '../secrets/derived-keys.js';
import { hashSecret } from '../secrets/secret-hash.js';
import type { DerivedAccessToken, RefreshTokenRecord, RefreshTokenStore } from '../store/types.js';

/** Prefixed so a secret scanner can tell a leaked gridkey refresh token. */
export const REFRESH_TOKEN_PREFIX = 'gkr_';
const FORMAT = /^gkr_[A-Za-z0-9_-]{43}$/;

export const isRefreshTokenShaped = (token: string) => FORMAT.test(token);

/** What minting a refresh token uses: the pepper its hash is keyed with, and its lifetimes. */
export interface RefreshTokenMinting {
  secrets: Pick<DerivedKeys, 'pepper'>;
  config: Pick<Config, 'refreshTokenTtlSeconds' | 'refreshTokenFamilyMaxSeconds'>;
}

/** What finding a presented refresh token uses. */
export interface RefreshTokenLookup {
  secrets: Pick<DerivedKeys, 'pepper'>;
  store: { refreshTokens: Pick<RefreshTokenStore, 'findByHash'> };
}

/** A new refresh token: the first of a family, or the successor of `previous`. */
export function newRefreshToken(
  deps: RefreshTokenMinting,
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
  const familyExpiresAt =
    previous?.familyExpiresAt ?? now + deps.config.refreshTokenFamilyMaxSeconds;
  return {
    token,
    record: {
      id: randomUUID(),
      tokenHash: hashSecret(deps.secrets.pepper, token),
      familyId: previous?.familyId ?? randomUUID(),
      clientId: input.clientId,
      userId: input.userId,
      scopes: [...input.scopes],
      authTime: input.authTime,
      createdAt: now,
      expiresAt: Math.min(now + deps.config.refreshTokenTtlSeconds, familyExpiresAt),
      familyExpiresAt,
      spentAt: null,
      revokedAt: null,
    },
  };
}

export async function findRefreshToken(
  deps: RefreshTokenLookup,
  token: string,
): Promise<RefreshTokenRecord | undefined> {
  if (!isRefreshTokenShaped(token)) return undefined;
  return deps.store.refreshTokens.findByHash(hashSecret(deps.secrets.pepper, token));
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
