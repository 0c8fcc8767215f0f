import type { Profile } from '../profiles/profile.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The profile whose conventions shape this route's responses. */
    profile?: Profile;
    /** Counted in the token endpoint latency histogram. */
    tokenEndpoint?: boolean;
  }
}
