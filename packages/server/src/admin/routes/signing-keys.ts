import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../../gridkey.js';
import { listSigningKeys, rotateKeys } from '../../operations/signing-keys.js';
import { adminRoute } from '../admin-context.js';
import * as R from '../admin-response-schemas.js';

/** Signing keys: the list and a rotation (parse, call the operation, answer). */
export function registerSigningKeyRoutes(app: FastifyInstance, gk: Gridkey): void {
  adminRoute(
    app,
    gk,
    'GET',
    '/admin/api/keys',
    { summary: 'List signing keys (public information)', response: { 200: R.SigningKeyList } },
    ({ ops }) => listSigningKeys(ops),
  );
  adminRoute(
    app,
    gk,
    'POST',
    '/admin/api/keys/rotate',
    { summary: 'Rotate the signing keys', response: { 200: R.SigningKeyRotation } },
    ({ ops }) => rotateKeys(ops),
  );
}
