import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { InvalidFieldError, UnknownIdError, UsageError } from '../errors.js';
import type { EventSink } from '../events.js';
import { signCompactJws } from '../keys/compact-jws.js';
import type { SigningKeySource } from '../keys/key-ring.js';
import { type Clock, nowSeconds } from '../lib/clock.js';
import { isoOrNull } from '../lib/iso-time.js';
import { assertPrintable } from '../lib/printable.js';
import { UsageRecorder } from '../lib/usage-recorder.js';
import { hashSecret } from '../secrets/secret-hash.js';
import type { PatRecord, Store } from '../store/types.js';
import { patScopes, roleScopes } from './roles.js';

/** The JWT `typ` of a PAT: never mistaken for an access token (`at+jwt`). */
export const PAT_TYP = 'pat+jwt';

export type PatInterface = 'api' | 'web';

/** A JWT whose header says `typ: pat+jwt`; only the store says whether it is one of ours. */
export function isPatShaped(token: string): boolean {
  try {
    return decodeProtectedHeader(token).typ === PAT_TYP;
  } catch {
    return false;
  }
}
export type PatStatus = 'pending' | 'active' | 'revoked' | 'expired';

export interface PatSettings {
  issuer: string;
  roles: Readonly<Record<string, readonly string[]>>;
  defaultTtlSeconds: number;
  lastUsedDebounceSeconds: number;
}

export function patStatus(p: PatRecord, now: number): PatStatus {
  if (p.revokedAt !== null) return 'revoked';
  if (p.expiresAt <= now || (p.authorisedUntil !== null && p.authorisedUntil <= now))
    return 'expired';
  if (p.authorisedAt === null) return 'pending';
  return 'active';
}

/** What {@link Pats} uses. */
export interface PatsDeps {
  store: Pick<Store, 'pats'>;
  pepper: Buffer;
  clock: Clock;
  keys: SigningKeySource;
  settings: PatSettings;
  /** Told of each accepted use (`credential.used`), for usage counts. */
  events?: EventSink;
}

/**
 * Personal access tokens (seeds/kostal-sem-access-tokens.txt): named, with a
 * role and an expiry, shown once, and usable only once AUTHORISEd for the
 * JSON API and/or the web page. An RS256 JWT, stored as a keyed hash; its
 * state lives here, so every request sees a change at once.
 */
export class Pats {
  private readonly usage: UsageRecorder;

  constructor(private readonly deps: PatsDeps) {
    // "Last used" is informational: a failed write must not fail the request.
    this.usage = new UsageRecorder(
      deps.clock,
      deps.settings.lastUsedDebounceSeconds,
      (id, now) => deps.store.pats.touch(id, now),
      () => {},
    );
  }

  async create(input: {
    name: string;
    role: string;
    scopes?: readonly string[];
    expiresAt?: number;
  }) {
    const name = input.name.trim();
    if (name === '' || name.length > 200)
      throw new InvalidFieldError('name', 'must be 1 to 200 characters');
    assertPrintable(name, 'a PAT name');
    const scopes = patScopes(roleScopes(this.deps.settings.roles, input.role), input.scopes ?? []);
    const now = nowSeconds(this.deps.clock);
    const expiresAt = input.expiresAt ?? now + this.deps.settings.defaultTtlSeconds;
    const id = randomUUID();
    const jti = randomUUID();
    const signing = this.deps.keys.signingKey('RS256');
    const token = signCompactJws(
      { alg: signing.alg, kid: signing.kid, typ: PAT_TYP },
      {
        iss: this.deps.settings.issuer,
        sub: id,
        jti,
        name,
        role: input.role,
        scope: scopes.join(' '),
        iat: now,
        exp: expiresAt,
      },
      signing.key,
    );
    const record: PatRecord = {
      id,
      name,
      role: input.role,
      scopes,
      tokenHash: hashSecret(this.deps.pepper, token),
      jti,
      createdAt: now,
      expiresAt,
      authorisedApi: false,
      authorisedWeb: false,
      authorisedAt: null,
      authorisedUntil: null,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.deps.store.pats.insert(record, signing.kid);
    return { record, token };
  }

  /** The first admin token: role admin, authorised for the API and the web page. */
  async createAdminToken(name = 'admin'): Promise<{ record: PatRecord; token: string }> {
    const created = await this.create({ name, role: 'admin' });
    return {
      record: await this.authorise(created.record.id, { api: true, web: true }),
      token: created.token,
    };
  }

  async get(id: string): Promise<PatRecord> {
    const pat = await this.deps.store.pats.findById(id);
    if (pat === undefined) throw new UnknownIdError(`no PAT with id ${id}`, 'no PAT with that id');
    return pat;
  }

  list(): Promise<PatRecord[]> {
    return this.deps.store.pats.list();
  }

  /** AUTHORISE for the JSON API and/or the web page, optionally with a shorter lifetime. */
  async authorise(
    id: string,
    grant: { api: boolean; web: boolean; until?: number },
  ): Promise<PatRecord> {
    const pat = await this.get(id);
    if (!grant.api && !grant.web) {
      throw new InvalidFieldError(
        'api',
        'or web must be set: authorise for the JSON API, the web page or both',
      );
    }
    if (grant.until !== undefined && grant.until > pat.expiresAt) {
      throw new InvalidFieldError('expires', 'may shorten the lifetime, not extend it');
    }
    const now = nowSeconds(this.deps.clock);
    if (patStatus(pat, now) === 'expired')
      throw new UsageError(`PAT ${id} has expired`, 'the PAT has expired');
    // A lifetime shortened earlier stays shortened: re-authorising (to add
    // the web page, say) never lengthens it.
    const limits = [grant.until, pat.authorisedUntil ?? undefined].filter(
      (t): t is number => t !== undefined,
    );
    const until = limits.length === 0 ? null : Math.min(...limits);
    if (
      !(await this.deps.store.pats.authorise(id, { api: grant.api, web: grant.web, until }, now))
    ) {
      throw new UsageError(`PAT ${id} is revoked`, 'the PAT is revoked');
    }
    return this.get(id);
  }

  async revoke(id: string): Promise<PatRecord> {
    const result = await this.deps.store.pats.revoke(id, nowSeconds(this.deps.clock));
    if (result === 'not_found')
      throw new UnknownIdError(`no PAT with id ${id}`, 'no PAT with that id');
    return this.get(id);
  }

  /** The stored PAT behind a presented token, whatever its state; undefined if none is ours. */
  async find(token: string): Promise<PatRecord | undefined> {
    if (token.length > 8192) return undefined;
    return this.deps.store.pats.findByHash(hashSecret(this.deps.pepper, token));
  }

  /**
   * The PAT behind a presented token if it may be used on this interface now;
   * otherwise why not. Looked up by keyed hash: possession of the exact token
   * is what authenticates, and its state is checked on every request.
   */
  async authenticate(
    token: string,
    on: PatInterface,
  ): Promise<{ pat: PatRecord } | { refused: string }> {
    const pat = await this.find(token);
    if (pat === undefined) return { refused: 'unknown token' };
    const status = patStatus(pat, nowSeconds(this.deps.clock));
    if (status !== 'active') return { refused: `the token is ${status}` };
    if (!(on === 'api' ? pat.authorisedApi : pat.authorisedWeb)) {
      return {
        refused: `the token is not authorised for the ${on === 'api' ? 'JSON API' : 'web page'}`,
      };
    }
    this.usage.record(pat.id);
    this.deps.events?.emit('credential.used', { kind: 'pat', id: pat.id });
    return { pat };
  }
}

/** The public view of a PAT: never the token or its hash. */
export function describePat(p: PatRecord, now: number) {
  return {
    id: p.id,
    name: p.name,
    role: p.role,
    scope: p.scopes.join(' '),
    status: patStatus(p, now),
    api: p.authorisedApi,
    web: p.authorisedWeb,
    created_at: isoOrNull(p.createdAt),
    expires_at: isoOrNull(p.authorisedUntil ?? p.expiresAt),
    last_used_at: isoOrNull(p.lastUsedAt),
  };
}
