// Asks the OS for a free loopback port. Another process could take it before the target binds,
// but on a benchmark machine that race is not worth more machinery.
import { createServer } from 'node:net';

export function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
