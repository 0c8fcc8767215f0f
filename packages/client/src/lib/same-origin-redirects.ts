import { isReplayable } from './replayable.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** WHATWG Fetch §4.4: at most 20 redirects. */
const MAX_REDIRECTS = 20;

/**
 * `fetch` that follows redirects only within the first URL's origin and
 * returns any other redirect as it came. Fetch drops `Authorization` when a
 * redirect leaves the origin (WHATWG Fetch, "HTTP-redirect fetch"), but no other
 * header: a key sent in `X-API-Key` would travel on to wherever a redirect
 * points. Methods change as fetch changes them (303, and 301/302 after a
 * POST, become a GET without a body).
 */
export async function fetchWithinOrigin(
  input: string | URL | Request,
  init: RequestInit & { headers: Headers },
): Promise<Response> {
  if (init.redirect === 'manual' || init.redirect === 'error') return fetch(input, init);
  let url = new URL(input instanceof Request ? input.url : String(input));
  const origin = url.origin;
  let request: RequestInit = { ...init, redirect: 'manual' };
  let res = await fetch(input, request);
  for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
    const location = res.headers.get('location');
    if (!REDIRECTS.has(res.status) || location === null) return res;
    const next = new URL(location, url);
    if (next.origin !== origin) return res;
    const method = (
      request.method ?? (input instanceof Request ? input.method : 'GET')
    ).toUpperCase();
    const toGet = res.status === 303 ? method !== 'HEAD' : res.status <= 302 && method === 'POST';
    if (!toGet && !isReplayable(input, request)) return res;
    await res.body?.cancel();
    request = toGet ? { ...request, method: 'GET', body: null } : request;
    if (toGet) request.headers = withoutBodyHeaders(init.headers);
    url = next;
    res = await fetch(next, request);
  }
  return res;
}

function withoutBodyHeaders(headers: Headers): Headers {
  const copy = new Headers(headers);
  for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language']) {
    copy.delete(name);
  }
  return copy;
}
