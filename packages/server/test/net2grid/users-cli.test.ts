import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { type StoreTarget, storeTargets } from '../../../../test/helpers/stores.js';
import { loadConfig } from '../../src/config/load-config.js';
import { openGridkey } from '../../src/gridkey.js';

describe.each(storeTargets())('gridkey user on $kind', (target: StoreTarget) => {
  let db: Awaited<ReturnType<StoreTarget['create']>>;
  let where: string[];
  const env = { GRIDKEY_PASSWORD_SCRYPT_LOG_N: '10' };
  const cli = (args: string[], stdin?: string) =>
    runCli([...args, ...where], { env, ...(stdin === undefined ? {} : { stdin }) });

  beforeAll(async () => {
    db = await target.create();
    where = ['--data-dir', db.dataDir, '--db', db.dbUrl];
  });
  afterAll(() => db.cleanup());

  it('creates a user from a password on stdin and prints {id, email}', async () => {
    const res = await cli(
      ['user', 'create', '--email', ' Jane@Example.com', '--password-stdin', '--json'],
      'a long password\n',
    );
    expect(res.stderr).toBe('');
    expect(res.json()).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'jane@example.com',
      status: 'active',
    });
    expect(res.stdout).not.toContain('a long password');
    const list = (await cli(['user', 'list', '--json'])).json() as { email: string }[];
    expect(list.map((u) => u.email)).toContain('jane@example.com');
  });

  it('refuses duplicates, look-alikes, short passwords and passwords on the command line', async () => {
    for (const [args, stdin, message] of [
      [
        ['user', 'create', '--email', 'JANE@example.com', '--password-stdin'],
        'another password',
        /exists/,
      ],
      [
        ['user', 'create', '--email', 'j\u0430ne@example.com', '--password-stdin'],
        'another password',
        /looks like it/,
      ],
      [
        ['user', 'create', '--email', 'new@example.com', '--password-stdin'],
        'short',
        /at least 8 characters/,
      ],
      [
        ['user', 'create', '--email', 'new@example.com'],
        'another password',
        /--password-stdin is required/,
      ],
      [
        ['user', 'create', '--email', 'not-an-email', '--password-stdin'],
        'another password',
        /not an e-mail address/,
      ],
      [['user', 'disable', 'ghost@example.com'], undefined, /no user ghost@example.com/],
    ] as const) {
      const res = await cli([...args], stdin);
      expect(res.code, args.join(' ')).toBe(1);
      expect(res.stderr, args.join(' ')).toMatch(message);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('sets a password (rehashing with the parameters in force), disables and deletes', async () => {
    const set = await cli(
      ['user', 'set-password', 'jane@example.com', '--password-stdin', '--json'],
      'a newer password',
    );
    expect(set.json()).toMatchObject({ email: 'jane@example.com', password_set: true });

    const gk = await openGridkey(
      loadConfig({ flags: { dataDir: db.dataDir, db: db.dbUrl, passwordScryptLogN: 11 } }),
      { env: {} },
    );
    try {
      expect(await gk.users.authenticate('jane@example.com', 'a long password')).toBeUndefined();
      const user = await gk.users.authenticate('jane@example.com', 'a newer password');
      expect(user?.email).toBe('jane@example.com');
      expect((await gk.store.users.findByEmail('jane@example.com'))?.passwordHash).toMatch(
        /^\$scrypt\$ln=11,/,
      );
    } finally {
      await gk.close();
    }

    expect((await cli(['user', 'disable', 'jane@example.com', '--json'])).json()).toMatchObject({
      disabled: true,
    });
    const listed = (await cli(['user', 'list', '--json'])).json() as {
      email: string;
      status: string;
    }[];
    expect(listed.find((u) => u.email === 'jane@example.com')?.status).toBe('disabled');
    expect((await cli(['user', 'delete', 'jane@example.com', '--json'])).json()).toMatchObject({
      deleted: true,
    });
    expect((await cli(['user', 'list', '--json'])).json()).toEqual([]);
  });
});
