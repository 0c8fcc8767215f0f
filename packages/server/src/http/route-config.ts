import type { Profile } from '../profiles/profile.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The profile whose conventions shape this route's responses. */
    profile?: Profile;
    /** Errors as JSON:API documents instead of RFC 6749 §5.2 JSON. */
    errorFormat?: 'json-api';
  }
}
