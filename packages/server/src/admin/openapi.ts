import {
  AuditQuery,
  AuthorisePatBody,
  CreateApiKeyBody,
  CreateClientBody,
  CreateLoginTokenBody,
  CreatePatBody,
  CreateUserBody,
  LoginTokenListQuery,
  SetUserPasswordBody,
  UpdateClientBody,
} from './admin-schemas.js';

type Op = { summary: string; body?: object; query?: object; created?: boolean };

const ERRORS = {
  '400': { description: 'invalid_request: a bad body, parameter or value' },
  '401': {
    description:
      'invalid_token: no admin token, or one that is pending, expired, revoked or not authorised for this interface',
  },
  '403': { description: 'insufficient_scope: the token’s role is not admin' },
  '404': { description: 'not_found: no such id' },
};

const OPERATIONS: Record<string, Partial<Record<'get' | 'post' | 'patch' | 'delete', Op>>> = {
  '/admin/api/session': { get: { summary: 'The admin token in use' } },
  '/admin/api/pats': {
    get: { summary: 'List personal access tokens (never the tokens)' },
    post: {
      summary: 'Create a PAT; the token is in this response only',
      body: CreatePatBody,
      created: true,
    },
  },
  '/admin/api/pats/{id}/authorise': {
    post: {
      summary: 'AUTHORISE for the JSON API and/or the web page, optionally with a shorter lifetime',
      body: AuthorisePatBody,
    },
  },
  '/admin/api/pats/{id}/revoke': {
    post: { summary: 'REVOKE; every later request with it is rejected' },
  },
  '/admin/api/clients': {
    get: { summary: 'List OAuth clients' },
    post: {
      summary: 'Register a client; the secret is in this response only',
      body: CreateClientBody,
      created: true,
    },
  },
  '/admin/api/clients/{id}/rotate-secret': { post: { summary: 'Replace the client secret' } },
  '/admin/api/clients/{id}': {
    get: { summary: 'One client' },
    patch: {
      summary: 'Change the token budget, token reuse or deprecation (and sunset)',
      body: UpdateClientBody,
    },
    delete: { summary: 'Delete a client and revoke its tokens' },
  },
  '/admin/api/clients/{id}/revoke-tokens': {
    post: { summary: 'Kill switch: revoke every token issued to the client' },
  },
  '/admin/api/users': {
    get: { summary: 'List users' },
    post: { summary: 'Create a user', body: CreateUserBody, created: true },
  },
  '/admin/api/users/{id}/disable': {
    post: { summary: 'Disable a user and revoke their refresh tokens' },
  },
  '/admin/api/users/{id}/revoke-tokens': {
    post: { summary: 'Revoke every refresh token of the user and the access tokens they issued' },
  },
  '/admin/api/tokens/{jti}/revoke': {
    post: { summary: 'Revoke one access token by its jti' },
  },
  '/admin/api/login-tokens': {
    get: {
      summary: 'List login tokens (never the tokens), or one customer’s',
      query: LoginTokenListQuery,
    },
    post: {
      summary: 'Issue a login token; it is in this response only',
      body: CreateLoginTokenBody,
      created: true,
    },
  },
  '/admin/api/login-tokens/{id}/revoke': {
    post: { summary: 'Revoke a login token and its live access tokens' },
  },
  '/admin/api/api-keys': {
    get: { summary: 'List API keys (prefix and last four only)' },
    post: {
      summary: 'Create an API key; it is in this response only',
      body: CreateApiKeyBody,
      created: true,
    },
  },
  '/admin/api/api-keys/{id}/revoke': { post: { summary: 'Revoke an API key' } },
  '/admin/api/keys': { get: { summary: 'List signing keys (public information)' } },
  '/admin/api/keys/rotate': { post: { summary: 'Rotate the signing keys' } },
  '/admin/api/audit': { get: { summary: 'The audit log, newest first', query: AuditQuery } },
  '/admin/api/users/{id}/set-password': {
    post: {
      summary: 'Set a user’s password (checked like a new one; never returned)',
      body: SetUserPasswordBody,
    },
  },
  '/admin/api/users/{id}': {
    delete: { summary: 'Delete a user and revoke their refresh tokens' },
  },
};

/** The OpenAPI 3.1 document of the admin API, built from the same schemas that validate requests. */
export function adminOpenApi(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(OPERATIONS)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(methods)) {
      const parameters = [
        ...['id', 'jti']
          .filter((name) => path.includes(`{${name}}`))
          .map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...Object.entries(
          (op.query as { properties?: Record<string, object> })?.properties ?? {},
        ).map(([name, schema]) => ({
          name,
          in: 'query',
          schema,
        })),
      ];
      (paths[path] as Record<string, unknown>)[method] = {
        summary: op.summary,
        security: [{ adminToken: [] }],
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(op.body === undefined
          ? {}
          : {
              requestBody: { required: true, content: { 'application/json': { schema: op.body } } },
            }),
        responses: {
          [op.created ? '201' : '200']: { description: 'OK', content: { 'application/json': {} } },
          ...ERRORS,
        },
      };
    }
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
