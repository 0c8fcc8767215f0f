import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../../gridkey.js';
import { rotateSigningKeys } from '../../keys/key-ring.js';
import { adminRoute } from '../admin-context.js';

/** Signing keys: the list and a rotation. */
export function registerSigningKeyRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(app, gk, 'GET', '/admin/api/keys', {}, async () =>
    (await gk.store.signingKeys.list()).map((k) => ({
      kid: k.kid,
      alg: k.alg,
      number: k.number,
      active_from: k.activeFrom,
      retired_at: k.retiredAt,
    })),
  );
  adminRoute(app, gk, 'POST', '/admin/api/keys/rotate', {}, async ({ now, audit }) => {
    const result = await rotateSigningKeys({
      store: gk.store,
      keyEncryptionKey: gk.secrets.keyEncryptionKey,
      now,
      activationDelaySeconds: gk.config.keyActivationDelaySeconds,
      maxTokenTtlSeconds: gk.config.accessTokenMaxTtlSeconds,
    });
    await gk.keys.refresh();
    await audit('keys.rotate', result.created.map((k) => k.kid).join(' '));
    return {
      created: result.created.map((k) => ({ kid: k.kid, alg: k.alg, active_from: k.activeFrom })),
      retired: result.retired,
    };
  });
}
