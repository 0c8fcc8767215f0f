import { createVerifier } from '@gridkey/verify';
import type { FastifyInstance } from 'fastify';
import { clientCredentials, type TestServer } from '../../../test/helpers/test-server.js';
import { buildEnergyApi, type Verifier } from '../src/build-app.js';
import { type EnergyDb, openEnergyDb } from '../src/db.js';
import type { ErrorStyle } from '../src/error-style.js';

/** A running energy API over a private in-memory database. */
export interface EnergyApiFixture {
  app: FastifyInstance;
  db: EnergyDb;
  verifier: Verifier | 'off';
  /** `http://127.0.0.1:PORT` when started with `listen: true`. */
  url: string | undefined;
  close(): Promise<void>;
}

/**
 * The energy API in front of `gridkey` with a real verifier, ready once this
 * resolves. Requests go through `app.inject()` unless `listen` opens port 0.
 */
export async function startEnergyApi(
  gridkey: TestServer | undefined,
  options: {
    errorStyle?: ErrorStyle;
    introspection?: { clientId: string; clientSecret: string };
    listen?: boolean;
  } = {},
): Promise<EnergyApiFixture> {
  const verifier: Verifier | 'off' =
    gridkey === undefined
      ? 'off'
      : createVerifier({
          issuer: gridkey.url,
          ...(options.introspection === undefined ? {} : { introspection: options.introspection }),
        });
  if (verifier !== 'off') await verifier.ready();
  const db = await openEnergyDb(':memory:');
  const app = await buildEnergyApi({
    verifier,
    db,
    ...(options.errorStyle === undefined ? {} : { errorStyle: options.errorStyle }),
  });
  let url: string | undefined;
  if (options.listen === true) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  } else {
    await app.ready();
  }
  return {
    app,
    db,
    verifier,
    url,
    async close() {
      await app.close();
      if (verifier !== 'off') await verifier.close();
      await db.destroy();
    },
  };
}

/** A client_credentials access token from `gridkey` with exactly `scopes`. */
export async function accessToken(gridkey: TestServer, scopes: string[]): Promise<string> {
  const client = await gridkey.client({ name: `energy api test ${scopes.join(' ')}`, scopes });
  const res = await clientCredentials(gridkey, client);
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return res.json.access_token as string;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
