// In-process comparisons of @gridkey/verify with bare jose.jwtVerify over the same tokens:
// distinct tokens (every verification is a miss) and each token verified 100 times.
import { performance } from 'node:perf_hooks';
import { createVerifier } from '@gridkey/verify';
import { createLocalJWKSet, jwtVerify } from 'jose';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeIt(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Bare jose against a local copy of the issuer's JWKS: the floor for a cold verification. */
async function bareJose(issuer) {
  const jwks = createLocalJWKSet(await (await fetch(`${issuer}/.well-known/jwks.json`)).json());
  const options = { issuer, typ: 'at+jwt', algorithms: ['ES256'], requiredClaims: ['exp', 'jti'] };
  return (token) => jwtVerify(token, jwks, options);
}

async function freshVerifier(issuer) {
  const verifier = createVerifier({ issuer, cache: { maxEntries: 200_000 } });
  await verifier.ready();
  return verifier;
}

const CHUNK = 250;

/**
 * Runs `rounds` rounds over the same tokens; within a round jose and the
 * verifier take turns chunk by chunk (who goes first alternates), so that a
 * machine that speeds up or slows down affects both alike. A fresh verifier
 * per round keeps the distinct case free of cache hits.
 */
export async function compareVerification(gridkey, { tokens, repeats, rounds = 3 }) {
  const jose = await bareJose(gridkey.url);
  const ratios = [];
  const joseMs = [];
  const verifyMs = [];
  // Round 0 warms both up (JIT, key import) and is not counted.
  for (let round = 0; round <= rounds; round++) {
    const verifier = await freshVerifier(gridkey.url);
    let joseTotal = 0;
    let verifyTotal = 0;
    try {
      for (let start = 0, turn = 0; start < tokens.length; start += CHUNK, turn++) {
        const chunk = tokens.slice(start, start + CHUNK);
        const runJose = async () => {
          joseTotal += await timeIt(async () => {
            for (let r = 0; r < repeats; r++) for (const t of chunk) await jose(t);
          });
        };
        const runVerify = async () => {
          verifyTotal += await timeIt(async () => {
            for (let r = 0; r < repeats; r++) for (const t of chunk) await verifier.verify(t);
          });
        };
        if (turn % 2 === 0) {
          await runJose();
          await runVerify();
        } else {
          await runVerify();
          await runJose();
        }
      }
    } finally {
      await verifier.close();
    }
    if (round === 0) continue;
    ratios.push(joseTotal / verifyTotal);
    joseMs.push(joseTotal);
    verifyMs.push(verifyTotal);
  }
  const verifications = tokens.length * repeats;
  const perSecond = (ms) => (verifications / ms) * 1000;
  return {
    verifications,
    joseOpsPerSecond: perSecond(median(joseMs)),
    verifyOpsPerSecond: perSecond(median(verifyMs)),
    ratio: median(ratios),
  };
}
