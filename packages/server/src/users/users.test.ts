import { afterEach, describe, expect, it } from 'vitest';
import { InvalidFieldError, UnknownIdError } from '../errors.js';
import { steppingClock, temporaryStore } from '../lib/unit-fixtures.test-helper.js';
import { describeUser, type UserPolicy, Users } from './users.js';

/** A low scrypt cost and no hashing gate: fast, and still the real hash. */
const policy: UserPolicy = { scrypt: { logN: 10, r: 8, p: 1 }, minPasswordLength: 12 };
const PASSWORD = 'correct horse battery';

describe('Users', () => {
  let store: Awaited<ReturnType<typeof temporaryStore>> | undefined;
  afterEach(async () => {
    await store?.dispose();
    store = undefined;
  });

  async function setup() {
    store = await temporaryStore();
    const clock = steppingClock();
    return { store, clock, users: new Users({ store, clock, policy }) };
  }

  const fieldOf = (attempt: Promise<unknown>) =>
    attempt.then(
      () => 'accepted',
      (err: unknown) => (err instanceof InvalidFieldError ? err.field : err),
    );

  it('stores a normalised e-mail and an scrypt hash, never the password', async () => {
    const { store, users } = await setup();
    const user = await users.create('  Alice@Example.COM ', PASSWORD);
    expect(user.email).toBe('alice@example.com');
    expect(user.passwordHash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    const rows = await store.db.selectFrom('users').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    expect(await users.find('ALICE@example.com')).toEqual(user);
    expect(describeUser(user)).not.toHaveProperty('password_hash');
    expect(describeUser(user).status).toBe('active');
  });

  it('authenticates the right password only, by any spelling of the e-mail', async () => {
    const { users } = await setup();
    const user = await users.create('alice@example.com', PASSWORD);
    expect((await users.authenticate(' ALICE@example.com', PASSWORD))?.id).toBe(user.id);
    expect(await users.authenticate('alice@example.com', `${PASSWORD}!`)).toBeUndefined();
    expect(await users.authenticate('bob@example.com', PASSWORD)).toBeUndefined();
    expect(await users.authenticate('not an e-mail', PASSWORD)).toBeUndefined();
  });

  it('refuses a disabled user the right password', async () => {
    const { users } = await setup();
    const user = await users.create('alice@example.com', PASSWORD);
    await users.disable(user.id);
    expect(await users.authenticate('alice@example.com', PASSWORD)).toBeUndefined();
    expect(describeUser(await users.find(user.id)).status).toBe('disabled');
  });

  it('refuses a look-alike of an existing e-mail, and bad input, storing nothing', async () => {
    const { users } = await setup();
    await users.create('alice@example.com', PASSWORD);
    expect(await fieldOf(users.create('\u0430lice@example.com', PASSWORD))).toBe('email');
    expect(await fieldOf(users.create('al\u00adice@example.com', PASSWORD))).toBe('email');
    expect(await fieldOf(users.create('ALICE@EXAMPLE.COM', PASSWORD))).toBe('email');
    expect(await fieldOf(users.create('bob@localhost', PASSWORD))).toBe('email');
    expect(await fieldOf(users.create('bob@example.com', 'short'))).toBe('password');
    expect(await fieldOf(users.create('bob@example.com', 'x'.repeat(1025)))).toBe('password');
    expect((await users.list()).map((u) => u.email)).toEqual(['alice@example.com']);
  });

  it('sets a new password, refusing one too short and keeping the old', async () => {
    const { users } = await setup();
    const user = await users.create('alice@example.com', PASSWORD);
    const next = 'another long passphrase';
    expect(await fieldOf(users.setPassword(user.id, 'short'))).toBe('password');
    expect((await users.authenticate('alice@example.com', PASSWORD))?.id).toBe(user.id);
    await users.setPassword('Alice@example.com', next);
    expect(await users.authenticate('alice@example.com', PASSWORD)).toBeUndefined();
    expect((await users.authenticate('alice@example.com', next))?.id).toBe(user.id);
    await expect(users.setPassword('bob@example.com', next)).rejects.toThrow(UnknownIdError);
  });

  it('rehashes on login when the scrypt cost changed', async () => {
    const { store, clock, users } = await setup();
    const user = await users.create('alice@example.com', PASSWORD);
    const stronger = new Users({
      store,
      clock,
      policy: { ...policy, scrypt: { ...policy.scrypt, logN: 11 } },
    });
    expect((await stronger.authenticate('alice@example.com', PASSWORD))?.id).toBe(user.id);
    expect((await users.find(user.id)).passwordHash).toMatch(/^\$scrypt\$ln=11,r=8,p=1\$/);
    expect((await users.authenticate('alice@example.com', PASSWORD))?.id).toBe(user.id);
  });
});
