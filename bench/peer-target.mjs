// A peer target: one of the servers in bench/targets/, given a fresh random client.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export function peerTarget(script, { readyPath, tokenPath = '/token', env = {} }) {
  const scriptPath = fileURLToPath(new URL(`./targets/${script}`, import.meta.url));
  return {
    async prepare(port) {
      const credentials = {
        clientId: `bench-${randomBytes(8).toString('base64url')}`,
        clientSecret: randomBytes(32).toString('base64url'),
      };
      return {
        nodeArgs: [scriptPath],
        env: {
          PORT: `${port}`,
          BENCH_CLIENT_ID: credentials.clientId,
          BENCH_CLIENT_SECRET: credentials.clientSecret,
          ...env,
        },
        readyPath,
        tokenPath,
        credentials,
        details: { totalClients: 1 },
        cleanup: async () => {},
      };
    },
  };
}
