import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Gridkey } from '../gridkey.js';
import { adminRoutes, collectAdminRoutes } from './admin-context.js';
import { adminOpenApi } from './openapi.js';
import { registerApiKeyRoutes } from './routes/api-keys.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerClientRoutes } from './routes/clients.js';
import { registerKillSwitchRoutes } from './routes/kill-switch.js';
import { registerLoginTokenRoutes } from './routes/login-tokens.js';
import { registerPatRoutes } from './routes/pats.js';
import { registerSigningKeyRoutes } from './routes/signing-keys.js';
import { registerUsageRoutes } from './routes/usage.js';
import { registerUserRoutes } from './routes/users.js';

/** The page's files ship in the package beside dist/ (no build step, no CDN). */
const ADMIN_UI_DIR = fileURLToPath(new URL('../../admin-ui/', import.meta.url));

/** The admin API's own description: public, not an admin route. */
const OPENAPI_URL = '/admin/api/openapi.json';

/** The admin API under /admin/api/ and the admin web page at /admin/. */
export async function registerAdmin(
  app: FastifyInstance,
  gk: Gridkey,
  issuer: () => string,
): Promise<void> {
  // Before the routes: the OpenAPI document lists what was registered.
  collectAdminRoutes(app, [OPENAPI_URL]);
  registerPatRoutes(app, gk);
  registerClientRoutes(app, gk);
  registerUserRoutes(app, gk);
  registerLoginTokenRoutes(app, gk);
  registerApiKeyRoutes(app, gk);
  registerSigningKeyRoutes(app, gk);
  registerAuditRoutes(app, gk);
  registerKillSwitchRoutes(app, gk);
  registerUsageRoutes(app, gk);
  app.get(OPENAPI_URL, async () => adminOpenApi(issuer(), adminRoutes(app)));
  app.get('/admin', async (_req, reply) => reply.redirect('/admin/', 301));
  await app.register(fastifyStatic, {
    root: ADMIN_UI_DIR,
    prefix: '/admin/',
    index: 'index.html',
    // The page holds an admin token: it must not be framed by another site,
    // have its links resolved against an injected <base>, post a form
    // elsewhere, leak its URL in a Referer, or be sniffed as another type.
    setHeaders: (res) => {
      res.header('x-frame-options', 'DENY');
      res.header(
        'content-security-policy',
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
      res.header('x-content-type-options', 'nosniff');
      res.header('referrer-policy', 'no-referrer');
      res.header('cache-control', 'no-cache');
    },
  });
}
