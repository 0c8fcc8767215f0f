import type {
  FastifyContextConfig,
  FastifyInstance,
  onResponseHookHandler,
  RouteHandlerMethod,
} from 'fastify';
import { MethodNotAllowedError } from '../errors.js';

/** A POST endpoint; every other method gets 405 with `Allow: POST` in the route's error style. */
export function postRoute(
  app: FastifyInstance,
  path: string,
  config: FastifyContextConfig,
  handler: RouteHandlerMethod,
  onResponse?: onResponseHookHandler,
): void {
  app.post(path, { config, ...(onResponse === undefined ? {} : { onResponse }) }, handler);
  app.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE'],
    url: path,
    config,
    handler: async (_req, reply) => {
      reply.header('allow', 'POST');
      throw new MethodNotAllowedError(`${path} accepts POST only`);
    },
  });
}
