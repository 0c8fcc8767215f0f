import { randomUUID } from 'node:crypto';
import { InvalidFieldError, UnknownIdError, UsageError } from '../errors.js';
import { type Clock, nowSeconds } from '../lib/clock.js';
import { isoOrNull } from '../lib/iso-time.js';
import { HashingGate, type HashingGateOptions } from '../secrets/hashing-gate.js';
import {
  dummyPasswordHash,
  hashPassword,
  MAX_PASSWORD_BYTES,
  type ScryptParams,
  verifyPassword,
} from '../secrets/password-hash.js';
import { ScryptWorkers } from '../secrets/scrypt-workers.js';
import type { Store, UserRecord } from '../store/types.js';
import { emailSkeleton, normaliseEmail } from './email.js';

export interface UserPolicy {
  scrypt: ScryptParams;
  minPasswordLength: number;
  /**
   * The cap on password hashing: logins beyond `maxInFlight` running and `maxQueued` waiting,
   * or waiting longer than `maxWaitSeconds`, are refused with 503. Every hash (logins, `create`,
   * `setPassword`) runs on `maxInFlight` worker threads at nice `threadNice` (Linux); only logins
   * pass the gate. Without it (a bare `Users`), hashes run on libuv's threadpool, uncapped.
   */
  hashing?: HashingGateOptions & { threadNice: number };
}

/**
 * Why a password is refused before hashing, after the field's name
 * (`password must …`); undefined when it may be hashed.
 */
export function passwordProblem(password: string, minLength: number): string | undefined {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES)
    return `must be at most ${MAX_PASSWORD_BYTES} bytes`;
  if ([...password].length < minLength) return `must have at least ${minLength} characters`;
  return undefined;
}

/** Refuses a password as the `password` field; never quotes it. */
function checkPassword(password: string, minLength: number): void {
  const problem = passwordProblem(password, minLength);
  if (problem !== undefined) throw new InvalidFieldError('password', problem);
}

/**
 * The e-mail of a user named by id or e-mail (the CLI's USER, the admin
 * API's `:id`): not the `email` field, so its refusal names no field.
 */
function lookupEmail(idOrEmail: string): string {
  try {
    return normaliseEmail(idOrEmail);
  } catch (err) {
    if (!(err instanceof InvalidFieldError)) throw err;
    throw new UsageError(
      `not an e-mail address: ${JSON.stringify(idOrEmail.slice(0, 80))}`,
      'not an e-mail address',
    );
  }
}

/** What {@link Users} uses. */
export interface UsersDeps {
  store: Pick<Store, 'users'>;
  clock: Clock;
  policy: UserPolicy;
}

/** End users of the password grant, identified by e-mail. */
export class Users {
  private dummyHash: Promise<string> | undefined;
  private readonly gate: HashingGate | undefined;
  private readonly workers: ScryptWorkers | undefined;

  constructor(private readonly deps: UsersDeps) {
    const { hashing } = deps.policy;
    if (hashing !== undefined) {
      this.gate = new HashingGate(hashing);
      this.workers = new ScryptWorkers(hashing.maxInFlight, hashing.threadNice);
    }
  }

  /** Hashing runs on the workers when there are some, else on libuv's threadpool. */
  private hash(password: string): Promise<string> {
    return hashPassword(password, this.deps.policy.scrypt, this.workers?.scrypt);
  }

  /** Stops the hashing workers, if any. */
  close(): Promise<void> {
    return this.workers?.close() ?? Promise.resolve();
  }

  async create(emailInput: string, password: string): Promise<UserRecord> {
    const email = normaliseEmail(emailInput);
    checkPassword(password, this.deps.policy.minPasswordLength);
    const now = nowSeconds(this.deps.clock);
    const user: UserRecord = {
      id: randomUUID(),
      email,
      emailSkeleton: emailSkeleton(email),
      passwordHash: await this.hash(password),
      createdAt: now,
      updatedAt: now,
      disabledAt: null,
    };
    if (!(await this.deps.store.users.insert(user))) {
      throw new InvalidFieldError(
        'email',
        `is taken: a user with the e-mail ${email}, or one that looks like it, exists`,
        'is taken: a user with that e-mail, or one that looks like it, exists',
      );
    }
    return user;
  }

  /** By id, or by e-mail when the argument contains `@`. */
  async find(idOrEmail: string): Promise<UserRecord> {
    const user = idOrEmail.includes('@')
      ? await this.deps.store.users.findByEmail(lookupEmail(idOrEmail))
      : await this.deps.store.users.findById(idOrEmail);
    if (user === undefined) throw new UnknownIdError(`no user ${idOrEmail}`, 'no such user');
    return user;
  }

  list(): Promise<UserRecord[]> {
    return this.deps.store.users.list();
  }

  async setPassword(idOrEmail: string, password: string): Promise<UserRecord> {
    const user = await this.find(idOrEmail);
    checkPassword(password, this.deps.policy.minPasswordLength);
    await this.deps.store.users.updatePasswordHash(
      user.id,
      await this.hash(password),
      nowSeconds(this.deps.clock),
    );
    return user;
  }

  /** Disables the user and revokes every refresh token they hold. */
  async disable(idOrEmail: string): Promise<UserRecord> {
    const user = await this.find(idOrEmail);
    await this.deps.store.users.disable(user.id, nowSeconds(this.deps.clock));
    return user;
  }

  /** Revokes every refresh token of the user and the access tokens they issued; the user stays. */
  async revokeTokens(idOrEmail: string): Promise<UserRecord> {
    const user = await this.find(idOrEmail);
    await this.deps.store.users.revokeTokens(user.id, nowSeconds(this.deps.clock));
    return user;
  }

  async delete(idOrEmail: string): Promise<UserRecord> {
    const user = await this.find(idOrEmail);
    await this.deps.store.users.delete(user.id, nowSeconds(this.deps.clock));
    return user;
  }

  /**
   * The enabled user with this e-mail and password, or undefined. An unknown
   * e-mail costs one scrypt like a wrong password does, so timing tells
   * nothing about which addresses exist. Rejects with `HashingBusyError` (503)
   * when the hashing gate is full: then nothing was checked.
   */
  authenticate(emailInput: string, password: string): Promise<UserRecord | undefined> {
    return this.gate === undefined
      ? this.check(emailInput, password)
      : this.gate.run(() => this.check(emailInput, password));
  }

  private async check(emailInput: string, password: string): Promise<UserRecord | undefined> {
    let email: string | undefined;
    try {
      email = normaliseEmail(emailInput);
    } catch {
      email = undefined;
    }
    const user = email === undefined ? undefined : await this.deps.store.users.findByEmail(email);
    if (this.dummyHash === undefined) {
      const dummy = dummyPasswordHash(this.deps.policy.scrypt, this.workers?.scrypt);
      // Made on the first login, awaited only for an unknown e-mail: a failure
      // (the workers closed under it) is no unhandled rejection, and the next
      // login makes a new one.
      dummy.catch(() => {
        if (this.dummyHash === dummy) this.dummyHash = undefined;
      });
      this.dummyHash = dummy;
    }
    const { ok, needsRehash } = await verifyPassword(
      password,
      user?.passwordHash ?? (await this.dummyHash),
      this.deps.policy.scrypt,
      this.workers?.scrypt,
    );
    if (user === undefined || !ok || user.disabledAt !== null) return undefined;
    if (needsRehash) {
      await this.deps.store.users.updatePasswordHash(
        user.id,
        await this.hash(password),
        nowSeconds(this.deps.clock),
      );
    }
    return user;
  }
}

/** The public view of a user: never the password hash. */
export function describeUser(u: UserRecord) {
  return {
    id: u.id,
    email: u.email,
    status: u.disabledAt === null ? 'active' : 'disabled',
    created_at: isoOrNull(u.createdAt),
    disabled_at: isoOrNull(u.disabledAt),
  };
}
