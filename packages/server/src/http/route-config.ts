import type { ErrorDialect } from './error-response.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How this route answers errors; RFC 6749 §5.2 JSON without one. */
    errorDialect?: ErrorDialect;
  }
}
