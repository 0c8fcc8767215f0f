import { createServer, type Server } from 'node:http';

export type FeedProxyMode = 'up' | 'down' | 'error';

/**
 * A stand-in for gridkey's feed address that a test can cut: it passes
 * requests through to `target` while `up`, resets every connection while
 * `down` (a network fault), answers 503 while `error`; `point` sends it to
 * another server (a restored database).
 */
export async function feedProxy(target: string) {
  let upstream = target;
  let mode: FeedProxyMode = 'up';
  const server: Server = createServer(async (req, res) => {
    if (mode === 'down') return void req.socket.destroy();
    if (mode === 'error') return void res.writeHead(503).end();
    const answer = await fetch(`${upstream}${req.url}`);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/revocations`,
    set(next: FeedProxyMode) {
      mode = next;
    },
    point(next: string) {
      upstream = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
