// Every target the benchmark knows, by the name used in BENCH_TARGETS and in the report.
import { OPT_IN_TARGETS } from './goals.mjs';
import { gridkeyTarget } from './gridkey-target.mjs';
import { peerTarget } from './peer-target.mjs';

export const TARGETS = {
  ceiling: peerTarget('ceiling.mjs', { readyPath: '/readyz' }),
  // Opt-in: the ceiling plus a request log line and the token metrics issue 2 asks for. No
  // goals: it shows how much of the ceiling any service observed that way keeps.
  'ceiling-observed': peerTarget('ceiling.mjs', {
    readyPath: '/readyz',
    env: { BENCH_CEILING_OBSERVED: '1' },
  }),
  'oidc-provider': peerTarget('oidc-provider.mjs', {
    readyPath: '/.well-known/openid-configuration',
  }),
  'oauth2-server': peerTarget('oauth2-server.mjs', { readyPath: '/readyz' }),
  // 1 bench client + 9 seeded = 10 clients in total.
  gridkey: gridkeyTarget({ extraClients: 9 }),
  'gridkey-100k': gridkeyTarget({ extraClients: 100_000 }),
  // Opt-in (BENCH_TARGETS): the request log line off, to show what it costs. Not a goal target:
  // one line per request is part of the product.
  'gridkey-nolog': gridkeyTarget({ extraClients: 9, env: { GRIDKEY_LOG_LEVEL: 'warn' } }),
};

/** What runs without BENCH_TARGETS. */
export const DEFAULT_TARGETS = Object.keys(TARGETS).filter(
  (name) => !OPT_IN_TARGETS.includes(name),
);
