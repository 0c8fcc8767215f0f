// Entry point of `npm run bench`: benchmarks the token endpoint of each selected target on
// loopback, interleaved run by run, prints and saves the figures, and exits 1 when a target
// failed or a goal printed as ✗ was missed. See bench/README.md.
import { machine, readConfig, writeResults } from './lib/config.mjs';
import {
  evaluateGoals,
  formatContention,
  formatFigures,
  formatGoals,
  formatGoalsInCeilingTerms,
  formatRatios,
  isClean,
  missedGoals,
  PASSWORD_CONTENTION,
} from './lib/goals.mjs';
import { runPasswordContention } from './lib/password-contention.mjs';
import { installShutdownHandlers, stopAllProcesses } from './lib/processes.mjs';
import { DEFAULT_TARGETS, runTargets, TARGETS } from './lib/targets.mjs';

async function main() {
  installShutdownHandlers();
  // The password-contention scenario runs after the targets, under its own name.
  const config = readConfig(
    [...Object.keys(TARGETS), PASSWORD_CONTENTION],
    [...DEFAULT_TARGETS, PASSWORD_CONTENTION],
  );
  console.log(
    `token endpoint benchmark: ${config.targets.join(', ')}\n` +
      `${config.connections} connections, ${config.runs} × ${config.seconds}s runs ` +
      `after ${config.warmupSeconds}s warm-up; server on CPU ${config.serverCpu}, ` +
      `load on CPU ${config.loadCpu}\n`,
  );

  const logFor = (name) => (message) => console.log(`[${name}] ${message}`);
  const tokenTargets = config.targets.filter((name) => name !== PASSWORD_CONTENTION);
  const results = await runTargets(tokenTargets, config, logFor);
  // The contention scenario measures one server against itself, so it runs on its own.
  if (config.targets.includes(PASSWORD_CONTENTION)) {
    const log = logFor(PASSWORD_CONTENTION);
    try {
      results[PASSWORD_CONTENTION] = await runPasswordContention(PASSWORD_CONTENTION, config, log);
    } catch (error) {
      log(`FAILED: ${error.message}`);
      results[PASSWORD_CONTENTION] = { failure: error.message };
    }
  }

  const goals = evaluateGoals(results);
  const sections = [
    formatFigures(results),
    formatContention(results),
    formatRatios(results),
    formatGoals(goals),
    formatGoalsInCeilingTerms(results),
  ];
  console.log('');
  for (const section of sections) if (section) console.log(`${section}\n`);

  const path = writeResults('latest.json', {
    date: new Date().toISOString(),
    machine: machine(),
    config,
    results,
    goals,
  });
  console.log(`results written to ${path}`);

  // A target that failed or answered with errors makes the run unusable; a goal printed as ✗
  // is a miss. Either way the exit code says so, after the figures are out.
  const missed = missedGoals(goals);
  if (missed.length > 0) console.log(`${missed.length} goal(s) missed: exit code 1`);
  if (missed.length > 0 || !Object.values(results).every(isClean)) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  // Configuration and setup errors: the message is enough, a stack trace is noise.
  console.error(`bench: ${error.message}`);
  process.exitCode = 1;
} finally {
  await stopAllProcesses();
}
