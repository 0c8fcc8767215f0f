// Entry point: benchmarks the token endpoint of each selected target, one after another, on
// loopback, and prints and saves the figures. See bench/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { readConfig } from './config.mjs';
import { evaluateGoals, isClean, PASSWORD_CONTENTION } from './goals.mjs';
import { runPasswordContention } from './password-contention.mjs';
import { stopAllProcesses } from './processes.mjs';
import {
  formatContention,
  formatFigures,
  formatGoals,
  formatGoalsInCeilingTerms,
  formatRatios,
} from './report.mjs';
import { runTarget } from './run-target.mjs';
import { installShutdownHandlers } from './shutdown.mjs';
import { DEFAULT_TARGETS, TARGETS } from './targets.mjs';

const resultsPath = fileURLToPath(new URL('./results/latest.json', import.meta.url));

function saveResults(report) {
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(resultsPath, `${JSON.stringify(report, null, 2)}\n`);
}

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

  const results = {};
  for (const name of config.targets) {
    const log = (message) => console.log(`[${name}] ${message}`);
    try {
      results[name] =
        name === PASSWORD_CONTENTION
          ? await runPasswordContention(name, config, log)
          : await runTarget(name, TARGETS[name], config, log);
    } catch (error) {
      log(`FAILED: ${error.message}`);
      results[name] = { failure: error.message };
    }
  }

  const goals = evaluateGoals(results);
  console.log(`\n${formatFigures(results)}\n`);
  const contention = formatContention(results);
  if (contention) console.log(`${contention}\n`);
  const ratios = formatRatios(results);
  if (ratios) console.log(`${ratios}\n`);
  const goalTable = formatGoals(goals);
  if (goalTable) console.log(`${goalTable}\n`);
  const ceilingTerms = formatGoalsInCeilingTerms(results);
  if (ceilingTerms) console.log(`${ceilingTerms}\n`);

  saveResults({
    date: new Date().toISOString(),
    machine: { node: process.version, cpus: cpus().map((cpu) => cpu.model) },
    config,
    results,
    goals,
  });
  console.log(`results written to ${resultsPath}`);

  // A target that failed or answered with errors makes the whole run unusable; a missed goal
  // does not: the figures are still valid and the table says which goal was missed.
  if (!Object.values(results).every(isClean)) process.exitCode = 1;
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
