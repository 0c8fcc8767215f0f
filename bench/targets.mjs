// Every target the benchmark knows, by the name used in BENCH_TARGETS and in the report.
import { gridkeyTarget } from './gridkey-target.mjs';
import { peerTarget } from './peer-target.mjs';

export const TARGETS = {
  ceiling: peerTarget('ceiling.mjs', { readyPath: '/readyz' }),
  'oidc-provider': peerTarget('oidc-provider.mjs', {
    readyPath: '/.well-known/openid-configuration',
  }),
  'oauth2-server': peerTarget('oauth2-server.mjs', { readyPath: '/readyz' }),
  // 1 bench client + 9 seeded = 10 clients in total.
  gridkey: gridkeyTarget({ extraClients: 9 }),
  'gridkey-100k': gridkeyTarget({ extraClients: 100_000 }),
};
