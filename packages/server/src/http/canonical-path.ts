import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.js';
import { sendError } from './error-response.js';

/** RFC 3986 §2.3: unreserved characters, which a normaliser decodes (§6.2.2.2). */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * Whether the path of a raw request-target is the one spelling a proxy would
 * also see: origin-form (RFC 9112 §3.2.1), no fragment, no empty segment but
 * a trailing one (the router tells `/x/` from `/x`), no `.` or `..` segment
 * (RFC 3986 §5.2.4), and no percent-encoded unreserved character nor a
 * broken escape (RFC 3986 §6.2.2.2). Otherwise `//metrics` or `/%6detrics`
 * would reach `/metrics` past a proxy rule written for the raw path.
 *
 * @example
 * ```ts
 * isCanonicalPath('/oauth2/token'); // true
 * isCanonicalPath('//metrics'); // false
 * ```
 */
export function isCanonicalPath(target: string): boolean {
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (path[0] !== '/' || path.includes('#')) return false;
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (segment === '' && i < segments.length - 1) return false;
    if (segment === '.' || segment === '..') return false;
  }
  for (let i = path.indexOf('%'); i !== -1; i = path.indexOf('%', i + 1)) {
    const hex = path.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return false;
    if (UNRESERVED.test(String.fromCharCode(Number.parseInt(hex, 16)))) return false;
  }
  return true;
}

/**
 * Answers 404, like an unknown path, to every request whose raw target is
 * not canonical. A target that spells a registered static route exactly is
 * canonical by definition: that is how a profile's route spelled with an
 * empty segment (the enectiva profile's `//access_tokens`, as its seed
 * documents it) stays served, as a route of its own.
 */
export function rejectNonCanonicalPaths(app: FastifyInstance): void {
  // The routes' own spellings, collected as they are registered (this runs
  // before any route is): Fastify's `req.routeOptions` builds a new object on
  // every read, which showed in token endpoint profiles. A path that spells
  // one exactly is routed to that static route (find-my-way matches static
  // routes first), so this is the same test as the matched route's url.
  const routeUrls = new Set<string>();
  app.addHook('onRoute', (route) => {
    routeUrls.add(route.url);
  });
  app.addHook('onRequest', (req, reply, done) => {
    const target = req.raw.url ?? '';
    const query = target.indexOf('?');
    const path = query === -1 ? target : target.slice(0, query);
    if (routeUrls.has(path) || isCanonicalPath(target)) return done();
    sendError(reply, new NotFoundError('no such path'), undefined);
  });
}
