import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedProxy } from '../../../test/helpers/feed-proxy.js';
import { basic, postForm, rotateKeys } from '../../../test/helpers/test-server.js';
import type { Verifier, VerifierHealth } from '../src/index.js';
import { type Fixture, outcome, startFixture, waitFor } from './helpers.js';

/** Polls until verifying gives `code`; returns how long that took (reported, not asserted). */
async function until(
  verifier: Verifier,
  token: string,
  code: string,
  options: { interface?: 'api' | 'web' } = {},
) {
  const started = Date.now();
  await waitFor(
    async () => ((await outcome(verifier.verify(token, options))) === code ? true : undefined),
    `verify to give ${code}`,
  );
  return Date.now() - started;
}

describe('following the token-state feed', () => {
  let fx: Fixture;
  let verifier: Verifier;

  beforeAll(async () => {
    fx = await startFixture();
    verifier = fx.verifier();
    await verifier.ready();
  });
  afterAll(() => fx.close());

  const newPat = async (role = 'user') => {
    const { record, token } = await fx.server.gk.pats.create({ name: `pat ${role}`, role });
    return { id: record.id, jti: record.jti, token };
  };

  it('refuses a pending PAT, then accepts it for the interface it is authorised for', async () => {
    const pat = await newPat();
    expect(await outcome(verifier.verify(pat.token))).toBe('not_authorised');
    await fx.server.gk.pats.authorise(pat.id, { api: true, web: false });
    const ms = await until(verifier, pat.token, 'ok');
    console.info(`authorised -> accepted in ${ms} ms`);
    const verified = await verifier.verify(pat.token, { scopes: ['read'] });
    expect(verified).toMatchObject({
      kind: 'pat',
      subject: pat.id,
      name: 'pat user',
      role: 'user',
      scopes: ['read', 'write'],
      jti: pat.jti,
    });
    await expect(verifier.verify(pat.token, { interface: 'web' })).rejects.toMatchObject({
      code: 'not_authorised',
      message: 'the token is not authorised for the web page',
    });
    await fx.server.gk.pats.authorise(pat.id, { api: true, web: true });
    await until(verifier, pat.token, 'ok', { interface: 'web' });
  });

  it('accepts a PAT used the moment it is authorised: it reads the feed again before refusing', async () => {
    // Polls far apart: only the look before refusing can have seen the authorisation.
    const slow = fx.verifier({ stateFeed: { pollMs: 60_000, maxStalenessMs: 120_000 } });
    try {
      await slow.ready();
      const pat = await newPat();
      await expect(slow.verify(pat.token)).rejects.toMatchObject({ code: 'not_authorised' });
      await fx.server.gk.pats.authorise(pat.id, { api: true, web: false });
      await expect(slow.verify(pat.token)).resolves.toMatchObject({ kind: 'pat', subject: pat.id });
      // Authorised for the API only: the web page is still refused after its own look.
      await expect(slow.verify(pat.token, { interface: 'web' })).rejects.toMatchObject({
        code: 'not_authorised',
      });
    } finally {
      await slow.close();
    }
  });

  it('refuses a PAT once revoked, also from the cache', async () => {
    const pat = await newPat();
    await fx.server.gk.pats.authorise(pat.id, { api: true, web: false });
    await until(verifier, pat.token, 'ok');
    const hits = verifier.health().cache.hits;
    await fx.server.gk.pats.revoke(pat.id);
    const ms = await until(verifier, pat.token, 'revoked');
    console.info(`PAT revoked -> refused in ${ms} ms`);
    expect(verifier.health().cache.hits).toBeGreaterThan(hits);
  });

  it('refuses a PAT whose authorisation has ended (until)', async () => {
    const pat = await newPat();
    // Three seconds: at least two for the authorisation and a feed read to land first.
    const untilSoon = Math.floor(Date.now() / 1000) + 3;
    await fx.server.gk.pats.authorise(pat.id, { api: true, web: false, until: untilSoon });
    await until(verifier, pat.token, 'ok');
    await waitFor(() => (Date.now() >= untilSoon * 1000 ? true : undefined), 'until to pass', 8000);
    await expect(verifier.verify(pat.token)).rejects.toMatchObject({
      code: 'expired',
      status: 401,
    });
  });

  it('refuses a revoked access token and keeps others', async () => {
    const client = await fx.server.client({ name: 'rev', scopes: ['meters:read'] });
    const keep = await fx.accessToken({}, client);
    const kill = await fx.accessToken({ scope: 'meters:read' }, client);
    // reuse is off by default: two distinct tokens
    expect(kill).not.toBe(keep);
    expect(await outcome(verifier.verify(kill))).toBe('ok');
    const res = await postForm(
      `${fx.server.url}/oauth2/revoke`,
      { token: kill },
      { authorization: basic(client.id, client.secret) },
    );
    expect(res.status).toBe(200);
    await until(verifier, kill, 'revoked');
    expect(await outcome(verifier.verify(keep))).toBe('ok');
  });

  it('sees the state from the snapshot after a restart', async () => {
    const live = await newPat();
    await fx.server.gk.pats.authorise(live.id, { api: true, web: false });
    const gone = await newPat();
    await fx.server.gk.pats.authorise(gone.id, { api: true, web: true });
    await fx.server.gk.pats.revoke(gone.id);
    const fresh = fx.verifier({ stateFeed: { pollMs: 60_000, maxStalenessMs: 120_000 } });
    await fresh.ready();
    // One poll only (pollMs is a minute): what it knows came from the snapshot.
    expect(await outcome(fresh.verify(live.token))).toBe('ok');
    expect(await outcome(fresh.verify(gone.token))).toBe('revoked');
    expect(fresh.health().feed).toMatchObject({ state: 'live' });
    expect(Number(fresh.health().feed.cursor)).toBeGreaterThan(0);
  });

  it('refuses PATs and API keys without the feed; accepts access tokens', async () => {
    const off = fx.verifier({ stateFeed: false });
    await off.ready();
    const pat = await newPat();
    await fx.server.gk.pats.authorise(pat.id, { api: true, web: false });
    expect(await outcome(off.verify(pat.token))).toBe('unavailable');
    expect(await outcome(off.verify(await fx.accessToken()))).toBe('ok');
    expect(off.health()).toMatchObject({ ok: true, feed: { state: 'off', stalenessMs: null } });
  });

  describe('when the feed cannot be reached', () => {
    let proxy: Awaited<ReturnType<typeof feedProxy>>;
    let closed: Verifier;
    let open: Verifier;
    let pat: { id: string; token: string };
    let access: string;

    beforeAll(async () => {
      proxy = await feedProxy(fx.server.url);
      const feed = { url: proxy.url, pollMs: 50, maxStalenessMs: 300 };
      closed = fx.verifier({ stateFeed: feed });
      open = fx.verifier({
        stateFeed: { ...feed, failOpen: true, failOpenMaxStalenessMs: 1500 },
      });
      pat = await newPat();
      await fx.server.gk.pats.authorise(pat.id, { api: true, web: false });
      access = await fx.accessToken();
      await Promise.all([closed.ready(), open.ready()]);
    });
    afterAll(() => proxy.close());

    it('fails closed for PATs (access tokens unless failOpen), says so, recovers', async () => {
      for (const v of [closed, open]) {
        expect(await outcome(v.verify(pat.token))).toBe('ok');
        expect(await outcome(v.verify(access))).toBe('ok');
      }
      const stale = new Promise<VerifierHealth>((r) => closed.once('stale', r));
      proxy.set('down');
      const reported = await stale;
      expect(reported.feed.state).toBe('stale');
      expect(closed.health()).toMatchObject({ ok: false, feed: { state: 'stale' } });
      expect(closed.health().feed.lastError).toBeTruthy();
      expect(closed.health().feed.stalenessMs).toBeGreaterThan(300);
      await expect(closed.verify(pat.token)).rejects.toMatchObject({
        code: 'unavailable',
        status: 503,
        error: 'temporarily_unavailable',
      });
      expect(await outcome(closed.verify(access))).toBe('unavailable');
      await waitFor(() => (open.health().feed.state === 'stale' ? true : undefined), 'open stale');
      expect(await outcome(open.verify(pat.token))).toBe('unavailable');
      expect(await outcome(open.verify(access))).toBe('ok');

      // A revocation made during the outage arrives once the feed is back (the cursor was kept).
      proxy.set('error');
      await fx.server.gk.pats.revoke(pat.id);
      await until(open, access, 'unavailable'); // past failOpenMaxStalenessMs
      const live = new Promise<VerifierHealth>((r) => closed.once('live', r));
      proxy.set('up');
      expect((await live).feed.state).toBe('live');
      expect(closed.health()).toMatchObject({ ok: true, feed: { state: 'live' } });
      expect(closed.health().feed.lastError).toBeUndefined();
      expect(await outcome(closed.verify(pat.token))).toBe('revoked');
      expect(await outcome(closed.verify(access))).toBe('ok');
    });
  });

  it('is unavailable when started while the feed is down', async () => {
    const v = fx.verifier({
      stateFeed: { url: 'http://127.0.0.1:9/revocations', pollMs: 50, maxStalenessMs: 200 },
    });
    await expect(v.ready()).rejects.toMatchObject({ code: 'unavailable' });
    expect(await outcome(v.verify(await fx.accessToken()))).toBe('unavailable');
    // Not even failOpen accepts a token before a first snapshot: no revocation is known at all.
    const open = fx.verifier({
      stateFeed: {
        url: 'http://127.0.0.1:9/revocations',
        pollMs: 50,
        maxStalenessMs: 200,
        failOpen: true,
      },
    });
    await expect(open.ready()).rejects.toMatchObject({ code: 'unavailable' });
    expect(await outcome(open.verify(await fx.accessToken()))).toBe('unavailable');
    expect(v.health().feed).toMatchObject({ state: expect.stringMatching(/starting|stale/) });
  });
});

describe('a signing key leaving the key set', () => {
  let fx: Fixture;

  beforeAll(async () => {
    fx = await startFixture();
  });
  afterAll(() => fx.close());

  it('drops the kid and refuses its tokens, cached ones too', async () => {
    const verifier = fx.verifier();
    await verifier.ready();
    const old = await fx.accessToken();
    const oldKid = fx.server.gk.keys.signingKey('ES256').kid;
    expect(await outcome(verifier.verify(old))).toBe('ok');
    const gk = fx.server.gk;
    const now = Math.floor(Date.now() / 1000);
    await rotateKeys(fx.server, now, 3600);
    // As `gridkey keys rotate` later does once the old key's tokens could have expired.
    expect(await gk.store.signingKeys.deleteRetiredBefore(now + 1, now)).toBeGreaterThan(0);
    await gk.keys.refresh();
    await until(verifier, old, 'unknown_key');
    expect(verifier.health().keys.kids).not.toContain(oldKid);
    const fresh = await fx.accessToken();
    expect(fx.server.gk.keys.signingKey('ES256').kid).not.toBe(oldKid);
    await until(verifier, fresh, 'ok');
  });
});
