import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedProxy } from '../../../test/helpers/feed-proxy.js';
import { storeTargets } from '../../../test/helpers/stores.js';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { createVerifier, type Verifier } from '../src/index.js';
import { outcome, waitFor } from './helpers.js';

describe('a feed that starts again (its database restored from a backup)', () => {
  let live: TestServer;
  let restored: TestServer;
  let feed: Awaited<ReturnType<typeof feedProxy>>;
  let verifier: Verifier;

  beforeAll(async () => {
    const target = storeTargets()[0];
    if (target === undefined) throw new Error('no store');
    live = await startTestServer(target);
    // Another database behind the same issuer: the restored one knows nothing yet.
    restored = await startTestServer(target);
    feed = await feedProxy(live.url);
    verifier = createVerifier({
      issuer: live.url,
      stateFeed: { url: feed.url, pollMs: 100, maxStalenessMs: 5000 },
    });
    await verifier.ready();
  });
  afterAll(async () => {
    await verifier.close();
    await feed.close();
    await live.close();
    await restored.close();
  });

  it('is sent back to the snapshot, forgets PAT authorisations it no longer shows, keeps revocations', async () => {
    const authorised = await live.gk.pats.create({ name: 'app', role: 'user' });
    await live.gk.pats.authorise(authorised.record.id, { api: true, web: false });
    const revoked = await live.gk.pats.create({ name: 'old app', role: 'user' });
    await live.gk.pats.authorise(revoked.record.id, { api: true, web: false });
    await live.gk.pats.revoke(revoked.record.id);
    await waitFor(
      async () => ((await outcome(verifier.verify(authorised.token))) === 'ok' ? true : undefined),
      'the PAT to be accepted',
    );
    expect(Number(verifier.health().feed.cursor)).toBeGreaterThan(0);

    feed.point(restored.url);
    await waitFor(
      async () => (verifier.health().feed.cursor === '0' ? true : undefined),
      'the cursor to go back to 0',
    );
    expect(verifier.health().feed.state).toBe('live');
    expect(await outcome(verifier.verify(authorised.token))).toBe('not_authorised');
    expect(await outcome(verifier.verify(revoked.token))).toBe('revoked');
  });
});
