import type { TSchema } from '@sinclair/typebox';
import type { AdminRouteSpec } from './admin-context.js';

const ERRORS = {
  '400': { description: 'invalid_request: a bad body, parameter or value' },
  '401': {
    description:
      'invalid_token: no admin token, or one that is pending, expired, revoked or not authorised for this interface',
  },
  '403': { description: 'insufficient_scope: the token’s role is not admin' },
  '404': { description: 'not_found: no such id' },
};

const SUCCESS: Record<string, string> = { '200': 'OK', '201': 'Created' };

/** `/admin/api/clients/:id` → `/admin/api/clients/{id}`. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

/** One OpenAPI parameter per property of a params or querystring schema. */
function parameters(where: 'path' | 'query', schema: TSchema | undefined) {
  const properties = (schema?.properties ?? {}) as Record<string, TSchema>;
  const required = new Set<string>((schema?.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, s]) => ({
    name,
    in: where,
    ...(where === 'path' || required.has(name) ? { required: true } : {}),
    schema: s,
  }));
}

function operation({ schema }: AdminRouteSpec) {
  const params = [...parameters('path', schema.params), ...parameters('query', schema.querystring)];
  return {
    summary: schema.summary,
    security: [{ adminToken: [] }],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(schema.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schema.body } },
          },
        }),
    responses: {
      ...Object.fromEntries(
        Object.entries(schema.response).map(([status, body]) => [
          status,
          {
            description: SUCCESS[status] ?? 'OK',
            content: { 'application/json': { schema: body } },
          },
        ]),
      ),
      ...ERRORS,
    },
  };
}

/**
 * The OpenAPI 3.1 document of the admin API, built from the routes the app
 * registered (`adminRoutes(app)`): their summaries, the schemas that validate
 * their requests, and the schemas of their answers.
 */
export function adminOpenApi(serverUrl: string, routes: readonly AdminRouteSpec[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'gridkey admin API', version: '0.1.0' },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An authorised PAT with role admin',
        },
      },
    },
    paths,
  };
}
