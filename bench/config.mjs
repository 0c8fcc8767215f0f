// Benchmark settings, read once from the environment. Every load run is bounded in time.

/** A positive number from the environment, or `fallback` when unset. */
export function positiveNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function targetList(knownTargets, defaultTargets) {
  const raw = process.env.BENCH_TARGETS;
  if (!raw) return defaultTargets;
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !knownTargets.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown BENCH_TARGETS: ${unknown.join(', ')} (known: ${knownTargets.join(', ')})`,
    );
  }
  return names;
}

export function readConfig(knownTargets, defaultTargets = knownTargets) {
  return {
    targets: targetList(knownTargets, defaultTargets),
    seconds: positiveNumber('BENCH_SECONDS', 10),
    runs: Math.round(positiveNumber('BENCH_RUNS', 3)),
    warmupSeconds: positiveNumber('BENCH_WARMUP_SECONDS', 2),
    connections: Math.round(positiveNumber('BENCH_CONNECTIONS', 50)),
    // The server gets CPU 0 and the load generator CPU 1, so they never compete for a core.
    serverCpu: '0',
    loadCpu: '1',
  };
}
