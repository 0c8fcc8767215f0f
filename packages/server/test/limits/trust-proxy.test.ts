import { afterEach, describe, expect, it } from 'vitest';
import { storeTargets } from '../../../../test/helpers/stores.js';
import {
  clientCredentials,
  startTestServer,
  type TestServer,
} from '../../../../test/helpers/test-server.js';

// The per-address failure budget shows which address the server believes.
describe.each(storeTargets())('client addresses behind a proxy on $kind', (target) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const cc = (s: TestServer, c: { id: string; secret: string }, forwardedFor: string) =>
    clientCredentials(s, c, { headers: { 'x-forwarded-for': forwardedFor } });
  const fail = (s: TestServer, forwardedFor: string) =>
    cc(s, { id: 'nobody', secret: 'wrong' }, forwardedFor);

  it('ignores X-Forwarded-For by default: every request is from the socket address', async () => {
    server = await startTestServer(target, {
      config: { clientAuthFailuresPerAddressPerMinute: 2 },
    });
    const client = await server.client();
    await fail(server, '203.0.113.1');
    await fail(server, '203.0.113.2');
    expect((await cc(server, client, '203.0.113.3')).status).toBe(429);
  });

  it('with trustProxy, charges the forwarded address, never one the caller made up', async () => {
    server = await startTestServer(target, {
      config: { clientAuthFailuresPerAddressPerMinute: 2, trustProxy: 'loopback' },
    });
    const client = await server.client();
    // The test connects from 127.0.0.1, a trusted proxy; the address before it
    // in the chain is the caller's, whatever the caller put further left.
    await fail(server, '198.51.100.9, 203.0.113.1');
    await fail(server, '198.51.100.10, 203.0.113.1');
    expect((await cc(server, client, '203.0.113.1')).status).toBe(429);
    expect((await cc(server, client, '203.0.113.2')).status).toBe(200);
    expect((await cc(server, client, '198.51.100.9')).status).toBe(200);
  });
});
