import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER, JSON_API } from '../../../../test/helpers/json-api.js';
import { type StoreTarget, storeTargets } from '../../../../test/helpers/stores.js';
import {
  basic,
  clientCredentials,
  postForm,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';
import {
  authorization,
  CANARY,
  contentType,
  extraHeaders,
  formText,
  framing,
  fuzzString,
  headerValue,
  jsonFragment,
  malformedJson,
  method,
  mutated,
  mutateFields,
  objectText,
  percentEncode,
  queryText,
} from './fuzz-arbitraries.js';
import {
  openRowCounter,
  type RawRequest,
  type RawResponse,
  type RowCounter,
  rawHttp,
} from './fuzz-support.js';

/**
 * Property-based fuzzing of every HTTP endpoint (docs/http-api.md): valid
 * requests with fields mutated, in wrong media types, framings and methods,
 * with every kind of Authorization header. Whatever is sent:
 *
 * - the answer is never a 5xx, and the server never hangs or drops the
 *   connection unanswered;
 * - an error is a JSON body (RFC 6749 §5.2, or a JSON:API error document on
 *   `/access_tokens` with the enectiva profile), never repeating a submitted value;
 * - a request that is not answered 2xx leaves the row count of every table
 *   as it was, and the read-only endpoints never change one;
 * - the admin API answers a caller without a valid admin token before it
 *   reads the body (RFC 6750 §3.1);
 * - at the end, a valid client_credentials request still succeeds on every
 *   token path.
 *
 * No table is excluded from the row check. The ones that could change on a
 * failed request were looked for: the audit log is written only after an
 * admin action succeeded (admin/routes/*.ts), failure budgets live in memory
 * (limits/), and a failed login-token exchange records nothing
 * (grants/login-token-exchange.ts). The one legitimate write on a failed
 * request is RFC 9700 §4.14.2 reuse detection: a spent refresh token
 * presented again revokes its family (refresh_tokens, revoked_tokens,
 * token_events) and is answered 400 (covered by net2grid/refresh-rotation).
 * So the fuzzer is given no live refresh token (its first successful use
 * would make it a spent one) but only tokens of an already revoked family,
 * which are refused before that write.
 *
 * `FUZZ_SEED` fixes the seed (default below) and `FUZZ_RUNS` the runs per
 * property; `npm run fuzz` runs many more.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
/** A cap for a whole property, so a hang fails instead of stalling the run; not a timing assert. */
const TIMEOUT_MS = 120_000 + RUNS * 2_000;

const ALL_PROFILES = ['depotfinity', 'edrv', 'net2grid', 'enectiva', 'kostal'];
const TOKEN_PATHS = ['/oauth2/token', '/oauth/token', '/v2/token'];
const PASSWORD = 'fuzzing is fun 123';
const FORM = 'application/x-www-form-urlencoded';

type Creds = { id: string; secret: string };

interface Fixture {
  [fc.toStringMethod]: () => string;
  profiles: string[];
  server: TestServer;
  port: number;
  rows: RowCounter;
  client: Creds;
  postClient: Creds;
  userClient: Creds;
  resourceServer: Creds;
  accessToken: string;
  apiKey: string;
  loginToken: string;
  /** An admin PAT authorised for the API and the page; never revoked by the fuzzer. */
  admin: string;
  /** Tokens the admin API must refuse: pending, another role, API-only, revoked. */
  notAdmin: { token: string; web: boolean }[];
  /** Refresh tokens of a revoked family (see above). */
  deadRefreshTokens: string[];
  /** Ids the fuzzer may act on through the admin API: nothing the other properties rely on. */
  ids: { pat: string; client: string; user: string; loginToken: string; apiKey: string };
}

async function setUp(target: StoreTarget, profiles: string[]): Promise<Fixture> {
  const server = await startTestServer(target, {
    config: {
      profiles,
      passwordScryptLogN: 10,
      clientTokensPerMinute: 1_000_000,
      clientAuthFailuresPerMinute: 1_000_000,
      clientAuthFailuresPerAddressPerMinute: 1_000_000,
      loginExchangeFailuresPerMinute: 100_000,
      loginExchangeSuccessesPerMinute: 100_000,
      passwordFailuresPerAddress: 100_000,
      passwordFailuresPerUsername: 100_000,
      passwordFailuresPerUsernamePerAddress: 100_000,
    },
  });
  const { gk } = server;
  const client = await server.client({
    name: 'fuzz',
    scopes: ['read', 'write'],
    audiences: ['https://api.example.com'],
  });
  const postClient = await server.client({
    name: 'post',
    scopes: ['read'],
    authMethod: 'client_secret_post',
  });
  const userClient = await server.client({
    name: 'app',
    scopes: ['read'],
    grantTypes: ['password', 'refresh_token'],
  });
  const resourceServer = await server.client({ name: 'rs', resourceServer: true });
  await gk.users.create('jane@example.com', PASSWORD);
  const userAuth = { authorization: basic(userClient.id, userClient.secret) };
  const login = await postForm(
    `${server.url}/v2/token`,
    { grant_type: 'password', username: 'jane@example.com', password: PASSWORD },
    userAuth,
  );
  const first = login.json.refresh_token as string;
  const refresh = (token: string) =>
    postForm(
      `${server.url}/v2/token`,
      { grant_type: 'refresh_token', refresh_token: token },
      userAuth,
    );
  const second = (await refresh(first)).json.refresh_token as string;
  expect((await refresh(first)).status).toBe(400); // reuse: the family is revoked
  const accessToken = (await clientCredentials(server, client)).json.access_token as string;
  const admin = (await gk.pats.createAdminToken('fuzz admin')).token;
  const pending = await gk.pats.create({ name: 'pending', role: 'admin' });
  const viewer = await gk.pats.create({ name: 'viewer', role: 'viewer' });
  await gk.pats.authorise(viewer.record.id, { api: true, web: true });
  const apiOnly = await gk.pats.create({ name: 'api only', role: 'admin' });
  await gk.pats.authorise(apiOnly.record.id, { api: true, web: false });
  const revoked = await gk.pats.createAdminToken('revoked');
  await gk.pats.revoke(revoked.record.id);
  const sacrificialPat = await gk.pats.create({ name: 'target', role: 'viewer' });
  const sacrificialClient = await server.client({ name: 'target' });
  const sacrificialUser = await gk.users.create('target@example.com', PASSWORD);
  const sacrificialLoginToken = await gk.loginTokens.create({
    customerUuid: CUSTOMER,
    scopes: ['a'],
  });
  const sacrificialKey = await gk.apiKeys.create({ name: 'target', scopes: ['read'] });
  return {
    // Counterexamples name the server, not every secret of the fixture.
    [fc.toStringMethod]: () => (profiles.length === 0 ? 'standard server' : 'all-profiles server'),
    profiles,
    server,
    port: Number(new URL(server.url).port),
    rows: await openRowCounter(server.dbUrl),
    client,
    postClient,
    userClient,
    resourceServer,
    accessToken,
    apiKey: (await gk.apiKeys.create({ name: 'key', scopes: ['read'] })).key,
    loginToken: (await gk.loginTokens.create({ customerUuid: CUSTOMER, scopes: ['a'] })).token,
    admin,
    notAdmin: [
      { token: pending.token, web: false },
      { token: viewer.token, web: false },
      { token: apiOnly.token, web: true },
      { token: revoked.token, web: false },
      { token: accessToken, web: false },
    ],
    deadRefreshTokens: [first, second],
    ids: {
      pat: sacrificialPat.record.id,
      client: sacrificialClient.id,
      user: sacrificialUser.id,
      loginToken: String(sacrificialLoginToken.record.id),
      apiKey: sacrificialKey.record.id,
    },
  };
}

/** What a request may be answered with, beyond the properties every request has. */
interface Expect {
  /** Error answers are a JSON:API error document. */
  jsonApi?: boolean;
  /** The endpoint only reads: no row changes, whatever the status. */
  readOnly?: boolean;
  /** Extra checks on the answer. */
  check?(res: RawResponse): void;
}

interface Case {
  fx: Fixture;
  req: RawRequest;
  /** The request is the route's method on its exact path (not a Node-level parse failure). */
  routed: boolean;
  expect: Expect;
}

const show = (c: Case, res?: RawResponse) =>
  JSON.stringify({
    server: c.fx.profiles.length === 0 ? 'standard' : 'all profiles',
    method: c.req.method,
    target: c.req.target.slice(0, 300),
    headers: c.req.headers.map(([k, v]) => [k, v.slice(0, 300)]),
    framing: c.req.framing,
    body: c.req.body?.slice(0, 600),
    answer: res && { status: res.status, headers: res.headers, body: res.text.slice(0, 600) },
  });

/** Headers Node's parser takes: no control characters, within its 16 KiB limit. */
const wellFormed = (req: RawRequest) =>
  /^\/[\x21-\x7e]*$/.test(req.target) &&
  req.headers.every(
    ([k, v]) => /^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(k) && /^[\t\x20-\x7e\x80-\u{10ffff}]*$/u.test(v),
  ) &&
  req.headers.reduce((n, [k, v]) => n + k.length + v.length, req.target.length) < 8_000;

async function check(c: Case): Promise<number> {
  const routed = c.routed && wellFormed(c.req);
  const before = await c.fx.rows.counts();
  let res: RawResponse;
  try {
    res = await rawHttp(c.fx.port, c.req);
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${show(c)}`);
  }
  const after = await c.fx.rows.counts();
  const where = show(c, res);
  expect(res.status, where).toBeLessThan(500);
  // HEAD answers carry no body (RFC 9110 §9.3.2).
  if (res.status >= 400 && c.req.method !== 'HEAD') {
    let body: unknown;
    expect(() => {
      body = JSON.parse(res.text);
    }, where).not.toThrow();
    expect(res.headers['content-type'], where).toMatch(/json/);
    const doc = body as { error?: unknown; errors?: { status: string; code: string }[] };
    if (routed && c.expect.jsonApi) {
      expect(res.headers['content-type'], where).toBe(JSON_API);
      expect(doc.errors, where).toHaveLength(1);
      expect(doc.errors?.[0]?.status, where).toBe(String(res.status));
    } else if (routed) {
      expect(typeof doc.error, where).toBe('string');
    } else {
      // Outside a route's own answers: RFC 6749 errors, JSON:API ones on
      // `/access_tokens`, Fastify's own for what Node could not parse.
      expect(typeof doc.error === 'string' || Array.isArray(doc.errors), where).toBe(true);
    }
    expect(res.text, where).not.toContain(CANARY);
    expect(JSON.stringify(res.headers), where).not.toContain(CANARY);
  }
  if (res.status < 200 || res.status >= 300 || c.expect.readOnly) {
    expect(after, `rows changed: ${where}`).toEqual(before);
  }
  if (routed) c.expect.check?.(res);
  return res.status;
}

/** A POST of a form, with the header and framing variations every endpoint gets. */
function formRequest(
  path: string,
  fields: fc.Arbitrary<[string, string][]>,
  auth: fc.Arbitrary<string | undefined>,
): fc.Arbitrary<{ req: RawRequest; routed: boolean }> {
  return fc
    .record({
      m: method('POST'),
      fields,
      auth,
      type: fc.option(contentType(FORM), { freq: 10, nil: undefined }),
      encoding: fc.constantFrom('form', 'form', 'form', 'form', 'json', 'malformed'),
      malformed: malformedJson,
      extra: extraHeaders,
      framing,
    })
    .chain((r) =>
      (r.encoding === 'form'
        ? formText(r.fields)
        : fc.constant(
            r.encoding === 'json'
              ? objectText(r.fields.map(([k, v]) => [k, JSON.stringify(v)]))
              : r.malformed,
          )
      ).map((body) => ({
        routed: r.m === 'POST' && r.framing !== 'none',
        req: {
          method: r.m,
          target: path,
          headers: [
            ...(r.auth === undefined ? [] : [['authorization', r.auth] as const]),
            ...(r.type === undefined ? [] : [['content-type', r.type] as const]),
            ...r.extra,
          ],
          body,
          framing: r.framing,
        },
      })),
    );
}

const clientAuth = (fx: Fixture, creds: Creds) =>
  fc.option(
    authorization([
      basic(creds.id, creds.secret),
      basic(fx.client.id, fx.client.secret),
      basic(fx.postClient.id, fx.postClient.secret),
    ]),
    { freq: 8, nil: undefined },
  );

function tokenCase(fx: Fixture): fc.Arbitrary<Omit<Case, 'expect'>> {
  const cc = { grant_type: 'client_credentials' };
  const bases: [Creds | undefined, Record<string, string>][] = [
    [fx.client, cc],
    [fx.client, { ...cc, scope: 'read', audience: 'https://api.example.com' }],
    [undefined, { ...cc, client_id: fx.postClient.id, client_secret: fx.postClient.secret }],
    [
      fx.userClient,
      { grant_type: 'password', username: 'jane@example.com', password: PASSWORD, scope: 'read' },
    ],
    ...fx.deadRefreshTokens.map((t): [Creds, Record<string, string>] => [
      fx.userClient,
      { grant_type: 'refresh_token', refresh_token: t },
    ]),
  ];
  return fc
    .record({ path: fc.constantFrom(...TOKEN_PATHS), base: fc.constantFrom(...bases) })
    .chain(({ path, base: [creds, form] }) =>
      formRequest(
        path,
        mutateFields(Object.entries(form), (name) =>
          Object.hasOwn(form, name) ? fc.oneof(fuzzString, mutated(form[name] ?? '')) : fuzzString,
        ),
        creds === undefined ? fc.constant(undefined) : clientAuth(fx, creds),
      ),
    )
    .map((r) => ({ fx, ...r }));
}

function exchangeCase(fx: Fixture): fc.Arbitrary<Omit<Case, 'expect'>> {
  const attributes: [string, string][] = [
    ['customer_uuid', JSON.stringify(CUSTOMER)],
    ['login_token', JSON.stringify(fx.loginToken)],
  ];
  const values = (name: string) =>
    fc.oneof(
      jsonFragment,
      mutated(name === 'login_token' ? fx.loginToken : CUSTOMER).map((s) => JSON.stringify(s)),
    );
  const document = fc
    .record({
      attributes: mutateFields(attributes, values),
      type: fc.oneof({ weight: 4, arbitrary: fc.constant('"login_tokens"') }, jsonFragment),
      shape: fc.constantFrom(
        'document',
        'document',
        'document',
        'no data',
        'data array',
        'value',
        'malformed',
        'duplicate',
      ),
      value: jsonFragment,
      malformed: malformedJson,
    })
    .map(({ attributes: a, type, shape, value, malformed }) => {
      const data = objectText([
        ['type', type],
        ['attributes', objectText(a)],
      ]);
      if (shape === 'no data') return objectText([['meta', data]]);
      if (shape === 'data array') return objectText([['data', `[${data}]`]]);
      if (shape === 'value') return value;
      if (shape === 'malformed') return malformed;
      if (shape === 'duplicate')
        return objectText([
          ['data', data],
          ['data', value],
        ]);
      return objectText([['data', data]]);
    });
  return fc
    .record({
      path: fc.constantFrom('/access_tokens', '//access_tokens'),
      m: method('POST'),
      body: document,
      type: fc.option(contentType(JSON_API), { freq: 10, nil: undefined }),
      accept: fc.option(
        fc.oneof(
          { weight: 6, arbitrary: fc.constant(JSON_API) },
          fc.constantFrom(
            '*/*',
            'text/html',
            `${JSON_API}; q=0`,
            `${JSON_API}; ext=x`,
            'application/json',
            '',
          ),
          fuzzString.map(headerValue),
        ),
        { nil: undefined },
      ),
      extra: extraHeaders,
      framing,
    })
    .map((r) => ({
      fx,
      // Served with the enectiva profile only; elsewhere an unknown path (404).
      routed: fx.profiles.includes('enectiva') && r.m === 'POST' && r.framing !== 'none',
      req: {
        method: r.m,
        target: r.path,
        headers: [
          ...(r.type === undefined ? [] : [['content-type', r.type] as const]),
          ...(r.accept === undefined ? [] : [['accept', r.accept] as const]),
          ...r.extra,
        ],
        body: r.body,
        framing: r.framing,
      },
    }));
}

function tokenInspectionCase(fx: Fixture, path: string): fc.Arbitrary<Omit<Case, 'expect'>> {
  const tokens = [fx.accessToken, fx.apiKey, fx.admin, ...fx.deadRefreshTokens, fx.loginToken];
  const tokenValue = fc.oneof(
    fc.constantFrom(...tokens),
    fc.constantFrom(...tokens).chain(mutated),
    fuzzString,
  );
  return fc
    .record({
      token: tokenValue,
      hint: fc.constantFrom('access_token', 'refresh_token', 'api_key', 'pat'),
      creds: fc.constantFrom(fx.resourceServer, fx.client),
    })
    .chain(({ token, hint, creds }) =>
      formRequest(
        path,
        mutateFields([
          ['token', token],
          ['token_type_hint', hint],
        ]),
        clientAuth(fx, creds),
      ),
    )
    .map((r) => ({ fx, ...r }));
}

function feedCase(fx: Fixture): fc.Arbitrary<Omit<Case, 'expect'>> {
  const cursor = fc.oneof(
    fc.nat().map(String),
    fc.constantFrom(
      '0',
      '1',
      '999999999999999',
      '9999999999999999',
      '-1',
      '1.5',
      '01',
      '1e3',
      ' 1',
    ),
    fuzzString,
  );
  return fc
    .record({
      fields: mutateFields(
        [
          ['after', '0'],
          ['limit', '10'],
        ],
        () => cursor,
      ),
      m: method('GET'),
      extra: extraHeaders,
    })
    .chain((r) =>
      queryText(r.fields).map((query) => ({
        fx,
        routed: r.m === 'GET',
        req: {
          method: r.m,
          target: `/revocations${query}`,
          headers: r.extra,
          framing: 'none' as const,
        },
      })),
    );
}

/** Every admin route with a valid body, if it takes one (admin/admin-schemas.ts). */
function adminRoutes(
  fx: Fixture,
): [string, string, Record<string, unknown> | undefined, string[]][] {
  const future = new Date(Date.now() + 86_400_000).toISOString();
  const { ids } = fx;
  return [
    ['GET', '/admin/api/session', undefined, []],
    ['GET', '/admin/api/pats', undefined, []],
    [
      'POST',
      '/admin/api/pats',
      { name: 'fuzzed', role: 'viewer', scope: 'read', expires: future },
      [],
    ],
    [
      'POST',
      '/admin/api/pats/:id/authorise',
      { api: true, web: false, expires: future },
      [ids.pat],
    ],
    ['POST', '/admin/api/pats/:id/revoke', undefined, [ids.pat]],
    ['GET', '/admin/api/clients', undefined, []],
    [
      'POST',
      '/admin/api/clients',
      {
        name: 'fuzzed',
        scope: 'read',
        grants: 'client_credentials',
        auth: 'client_secret_post',
        ttl: 600,
        audience: 'https://a.example',
        resource_server: false,
      },
      [],
    ],
    ['POST', '/admin/api/clients/:id/rotate-secret', undefined, [ids.client]],
    ['DELETE', '/admin/api/clients/:id', undefined, [ids.client]],
    ['POST', '/admin/api/clients/:id/revoke-tokens', undefined, [ids.client]],
    ['GET', '/admin/api/users', undefined, []],
    ['POST', '/admin/api/users', { email: 'fuzzed@example.com', password: PASSWORD }, []],
    ['POST', '/admin/api/users/:id/disable', undefined, [ids.user]],
    ['POST', '/admin/api/users/:id/revoke-tokens', undefined, [ids.user]],
    ['GET', '/admin/api/login-tokens', undefined, []],
    [
      'POST',
      '/admin/api/login-tokens',
      { customer_uuid: CUSTOMER, subject_uuid: CUSTOMER, scope: 'a', expires: future },
      [],
    ],
    ['POST', '/admin/api/login-tokens/:id/revoke', undefined, [ids.loginToken]],
    ['GET', '/admin/api/api-keys', undefined, []],
    ['POST', '/admin/api/api-keys', { name: 'fuzzed', scope: 'read', expires: future }, []],
    ['POST', '/admin/api/api-keys/:id/revoke', undefined, [ids.apiKey]],
    ['GET', '/admin/api/keys', undefined, []],
    ['POST', '/admin/api/keys/rotate', undefined, []],
    ['GET', '/admin/api/audit', undefined, []],
    ['POST', '/admin/api/tokens/:id/revoke', undefined, ['0b7e2f4c-5d1a-4e8b-9f3c-2a6d8e1b7c40']],
  ];
}

const isoTimes = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '9999-12-31T23:59:59Z',
    '+275760-09-13T00:00:00.000Z',
    '2020-02-30T00:00:00Z',
    '2999-01-01T25:00:00Z',
    '2999-01-01',
    '2999-01-01T00:00:00+14:00',
    '1970-01-01T00:00:00Z',
  ),
);

function adminCase(
  fx: Fixture,
  authenticated: boolean,
): fc.Arbitrary<Omit<Case, 'expect'> & { adminRoute: boolean }> {
  const bearer = authenticated
    ? fc.constant({ auth: `Bearer ${fx.admin}`, web: false })
    : fc.oneof(
        fc.constantFrom(...fx.notAdmin).map((p) => ({ auth: `Bearer ${p.token}`, web: p.web })),
        fc
          .option(authorization([`Bearer ${fx.admin}`]), { nil: undefined })
          // RFC 6750 §2.1: the scheme is case-insensitive, and 1*SP.
          .filter((auth) => auth?.trim().replace(/^bearer +/i, '') !== fx.admin)
          .map((auth) => ({ auth, web: false })),
      );
  const id = (real: string[]) =>
    fc.oneof(
      ...(real.length > 0
        ? [fc.constantFrom(...real), fc.constantFrom(...real).chain(mutated)]
        : []),
      fc.uuid(),
      fc.constantFrom(
        '0',
        '1',
        '-1',
        '999999999999999',
        '9999999999999999999',
        '1e3',
        ' 1',
        'x'.repeat(101),
      ),
      // Sent as they are: escapes that decode to no UTF-8, or to U+0000.
      fc.constantFrom('%00', 'a%00b', '%C3%28', '%ED%A0%80', '%FF', '%zz', '%'),
      fuzzString,
    );
  const value = (name: string) =>
    fc.oneof(
      jsonFragment,
      ...(name === 'expires' ? [isoTimes.map((t) => JSON.stringify(t))] : []),
      ...(name === 'ttl'
        ? [fc.constantFrom('0', '1', '86400', '86401', '2147483648', '1e308', '1.5', '-5')]
        : []),
    );
  return fc
    .record({
      route: fc.constantFrom(...adminRoutes(fx)),
      bearer,
      shape: fc.constantFrom('mutated', 'mutated', 'mutated', 'value', 'malformed', 'none'),
      fragment: jsonFragment,
      malformed: malformedJson,
      type: fc.option(contentType('application/json'), { freq: 10, nil: undefined }),
      raw: fc.nat(9),
      query: fc.option(
        mutateFields([
          ['limit', '10'],
          ['before', '5'],
        ]),
        { nil: undefined },
      ),
      extra: extraHeaders,
      framing,
    })
    .chain((r) => {
      const [routeMethod, template, body, realIds] = r.route;
      const fields = Object.entries(body ?? {}).map(([k, v]): [string, string] => [
        k,
        JSON.stringify(v),
      ]);
      return fc
        .record({
          m: method(routeMethod),
          id: id(realIds),
          fields: mutateFields(fields, value),
          query: r.query === undefined ? fc.constant('') : queryText(r.query),
        })
        .map(({ m, id: idValue, fields: f, query }) => {
          const raw = r.raw === 0 || /^a?%/.test(idValue);
          const segment = raw ? idValue.replace(/[\s]/g, '') : percentEncode(idValue);
          const path = template.replace(':id', segment);
          const text =
            r.shape === 'value'
              ? r.fragment
              : r.shape === 'malformed'
                ? r.malformed
                : r.shape === 'none' || body === undefined
                  ? undefined
                  : objectText(f);
          const type = text === undefined ? r.type : (r.type ?? 'application/json');
          return {
            fx,
            adminRoute: m === routeMethod,
            routed:
              m === routeMethod &&
              r.framing !== 'none' &&
              segment !== '' &&
              !raw &&
              segment.length <= 100,
            req: {
              method: m,
              target: `${path}${template === '/admin/api/audit' ? query : ''}`,
              headers: [
                ...(r.bearer.auth === undefined ? [] : [['authorization', r.bearer.auth] as const]),
                ...(r.bearer.web ? [['x-gridkey-interface', 'web'] as const] : []),
                ...(type === undefined ? [] : [['content-type', type] as const]),
                ...r.extra.filter(([k]) => k !== 'authorization' && k !== 'x-gridkey-interface'),
              ],
              ...(text === undefined ? {} : { body: text }),
              framing: r.framing,
            },
          };
        });
    });
}

/** Any endpoint, any method, the path spelled otherwise (docs/http-api.md §Canonical paths). */
function anyPathCase(fx: Fixture): fc.Arbitrary<Omit<Case, 'expect'>> {
  const paths = [
    ...TOKEN_PATHS,
    '/oauth2/introspect',
    '/oauth2/revoke',
    '/revocations',
    '/access_tokens',
    '//access_tokens',
    '/.well-known/jwks.json',
    '/.well-known/oauth-authorization-server',
    '/.well-known/openid-configuration',
    '/healthz',
    '/readyz',
    '/metrics',
    '/admin',
    '/admin/',
    '/admin/index.html',
    '/admin/api/openapi.json',
    '/admin/api/clients',
  ];
  const respell = (p: string) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(p) },
      fc.constantFrom(
        `${p}/`,
        `/${p}`,
        p.toUpperCase(),
        `${p}/.`,
        `${p}/..`,
        `${p}%2e`,
        `${p}%00`,
        `${p}%zz`,
        `${p}#x`,
        `http://127.0.0.1${p}`,
        `${p}/../../etc/passwd`,
        `/x/..${p}`,
        `${p};x`,
        `${p}?`,
        '*',
      ),
      fc
        .nat(Math.max(p.length - 1, 0))
        .map(
          (i) =>
            `${p.slice(0, i)}%${(p.charCodeAt(i) || 0x61).toString(16).padStart(2, '0')}${p.slice(i + 1)}`,
        ),
      fuzzString.map((s) => `${p}/${percentEncode(s)}`),
    );
  return fc
    .record({
      path: fc.constantFrom(...paths).chain(respell),
      m: fc.constantFrom(
        'GET',
        'POST',
        'PUT',
        'PATCH',
        'DELETE',
        'HEAD',
        'OPTIONS',
        'TRACE',
        'PROPFIND',
        'FOO',
      ),
      auth: fc.option(
        authorization([
          basic(fx.resourceServer.id, fx.resourceServer.secret),
          `Bearer ${fx.admin}`,
        ]),
        { nil: undefined },
      ),
      body: fc.option(fc.oneof(fuzzString, jsonFragment), { nil: undefined }),
      type: fc.option(fc.oneof(contentType(FORM), contentType('application/json')), {
        nil: undefined,
      }),
      extra: extraHeaders,
      framing,
    })
    .map((r) => ({
      fx,
      routed: false,
      req: {
        method: r.m,
        target: r.path,
        headers: [
          ...(r.auth === undefined ? [] : [['authorization', r.auth] as const]),
          ...(r.type === undefined ? [] : [['content-type', r.type] as const]),
          ...r.extra,
        ],
        ...(r.body === undefined ? {} : { body: r.body }),
        framing: r.framing,
      },
    }));
}

const json = (res: RawResponse) => JSON.parse(res.text) as Record<string, unknown>;

describe.each(storeTargets())('HTTP fuzzing on $kind', (target) => {
  let fixtures: Fixture[] = [];

  beforeAll(async () => {
    fixtures = [await setUp(target, []), await setUp(target, ALL_PROFILES)];
  });
  afterAll(async () => {
    for (const fx of fixtures) {
      await fx.rows.close();
      await fx.server.close();
    }
  });

  /** Each property against the standard server and the one with every profile. */
  const run = async (
    offset: number,
    build: (fx: Fixture) => fc.Arbitrary<Omit<Case, 'expect'>>,
    expectation: Expect | ((c: Omit<Case, 'expect'>) => Expect),
  ) => {
    const arb = fc.constantFrom(...fixtures).chain(build);
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(arb, async (c) => {
        const expect = typeof expectation === 'function' ? expectation(c) : expectation;
        const status = await check({ ...c, expect });
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
      { seed: SEED + offset, numRuns: RUNS },
    );
    // FUZZ_STATS=1: how deep the requests got, to tune the generators.
    if (process.env.FUZZ_STATS) console.log(target.kind, offset, Object.fromEntries(statuses));
  };

  it('token endpoints of every profile path', () => run(1, tokenCase, {}), TIMEOUT_MS);

  it(
    'the login-token exchange (JSON:API)',
    () => run(2, exchangeCase, { jsonApi: true }),
    TIMEOUT_MS,
  );

  it(
    'introspection',
    () =>
      run(3, (fx) => tokenInspectionCase(fx, '/oauth2/introspect'), {
        readOnly: true,
        check(res) {
          if (res.status === 200) expect(typeof json(res).active).toBe('boolean');
        },
      }),
    TIMEOUT_MS,
  );

  it('revocation', () => run(4, (fx) => tokenInspectionCase(fx, '/oauth2/revoke'), {}), TIMEOUT_MS);

  it(
    'the revocation feed',
    () =>
      run(5, feedCase, {
        readOnly: true,
        check(res) {
          if (res.status === 200) expect(Array.isArray(json(res).events)).toBe(true);
          else expect(json(res).error).toBe('invalid_request');
        },
      }),
    TIMEOUT_MS,
  );

  it(
    'the admin API with a valid admin token',
    () => run(6, (fx) => adminCase(fx, true), {}),
    TIMEOUT_MS,
  );

  it(
    'the admin API without one: refused before the body is read, nothing stored',
    () =>
      run(
        7,
        (fx) => adminCase(fx, false),
        (c) => ({
          readOnly: true,
          check(res) {
            if (!(c as { adminRoute?: boolean }).adminRoute) return;
            expect([400, 401, 403], show(c as Case, res)).toContain(res.status);
            expect(res.headers['www-authenticate'], show(c as Case, res)).toMatch(
              /^Bearer realm="gridkey-admin"/,
            );
          },
        }),
      ),
    TIMEOUT_MS,
  );

  it('any path, any method', () => run(8, anyPathCase, {}), TIMEOUT_MS);

  it('still answers a valid client_credentials request on every token path', async () => {
    for (const fx of fixtures) {
      for (const path of TOKEN_PATHS) {
        const res = await clientCredentials(fx.server, fx.client, { path });
        expect(res.status, `${path} on ${fx.profiles.join(',') || 'standard'}`).toBe(200);
        expect(typeof res.json.access_token).toBe('string');
      }
      expect((await fetch(`${fx.server.url}/healthz`)).status).toBe(200);
    }
  });
});
