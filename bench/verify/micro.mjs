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

/**
 * Runs `rounds` interleaved rounds; each round times jose and the verifier over the same tokens.
 * A fresh verifier per round keeps the distinct case free of cache hits.
 */
export async function compareVerification(gridkey, { tokens, repeats, rounds = 3 }) {
  const jose = await bareJose(gridkey.url);
  const joseMs = [];
  const verifyMs = [];
  for (let round = 0; round < rounds; round++) {
    joseMs.push(
      await timeIt(async () => {
        for (let r = 0; r < repeats; r++) for (const t of tokens) await jose(t);
      }),
    );
    const verifier = await freshVerifier(gridkey.url);
    try {
      verifyMs.push(
        await timeIt(async () => {
          for (let r = 0; r < repeats; r++) for (const t of tokens) await verifier.verify(t);
        }),
      );
    } finally {
      await verifier.close();
    }
  }
  const verifications = tokens.length * repeats;
  const perSecond = (ms) => (verifications / ms) * 1000;
  return {
    verifications,
    joseOpsPerSecond: perSecond(median(joseMs)),
    verifyOpsPerSecond: perSecond(median(verifyMs)),
    ratio: median(joseMs) / median(verifyMs),
  };
}
