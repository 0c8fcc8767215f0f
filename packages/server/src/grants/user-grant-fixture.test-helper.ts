import {
  clientRecord,
  es256Keys,
  params,
  recordingEvents,
  steppingClock,
  type temporaryStore,
} from '../lib/unit-fixtures.test-helper.js';
import { createGrantLimits, type GrantLimitSettings } from '../limits/grant-limits.js';
import { memoryLimiters } from '../limits/limiter.js';
import type { ClientRecord } from '../store/types.js';
import { Users } from '../users/users.js';
import type { Grant, GrantRequest } from './grant.js';
import type { RefreshTokenGrantDeps } from './refresh-token.js';

export const ISSUER = 'https://gridkey.example';
export const PASSWORD = 'correct horse battery';

/** The settings the user grants read: lifetimes, the reuse grace, and the budgets. */
export type UserGrantSettings = RefreshTokenGrantDeps['config'] & GrantLimitSettings;

/**
 * What the password and refresh_token grants use, made of real parts over
 * one store: a registered client, the user ann@example.com, a cheap scrypt,
 * in-memory budgets, a stepping clock and a recording event bus.
 */
export async function userGrantFixture(
  store: Awaited<ReturnType<typeof temporaryStore>>,
  config: UserGrantSettings,
  options: { client?: ClientRecord; email?: string; pepper?: Buffer } = {},
) {
  const clock = steppingClock();
  const events = recordingEvents();
  const users = new Users({
    store,
    clock,
    policy: { scrypt: { logN: 10, r: 8, p: 1 }, minPasswordLength: 8 },
  });
  const client = options.client ?? clientRecord();
  await store.clients.insert(client);
  const user = await users.create(options.email ?? 'ann@example.com', PASSWORD);
  const deps = {
    keys: es256Keys(),
    clock,
    config,
    secrets: { pepper: options.pepper ?? Buffer.alloc(32, 7) },
    store,
    users,
    events: events.bus,
    limits: createGrantLimits(memoryLimiters(), config),
  };
  /** One token request for the fixture's client. */
  const call = (grant: Grant, fields: Record<string, string>, over: Partial<GrantRequest> = {}) =>
    grant.handle({
      client,
      params: params(fields),
      profile: { name: 'standard' },
      issuer: ISSUER,
      address: '10.0.0.1',
      ...over,
    });
  return { clock, events, users, user, client, deps, call };
}
