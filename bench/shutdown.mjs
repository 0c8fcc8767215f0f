// Makes Ctrl-C (and SIGTERM/SIGHUP) stop every benchmark process and remove temporary data
// before the harness exits.
import { killAllProcessesNow, stopAllProcesses } from './processes.mjs';

const cleanups = new Set();

// Registers work to do if the harness is interrupted; returns a function that unregisters it.
export function onInterrupt(cleanup) {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

async function interrupted(signal) {
  process.stderr.write(`\n${signal} received, stopping benchmark processes...\n`);
  await stopAllProcesses();
  await Promise.allSettled([...cleanups].map((cleanup) => cleanup()));
  process.exit(130);
}

export function installShutdownHandlers() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, interrupted);
  process.once('exit', killAllProcessesNow);
}
