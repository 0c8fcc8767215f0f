// Every process a bench run starts: pinned to a CPU, on a free loopback port, waited for until it
// answers, and stopped again when its part is done, on error, and on Ctrl-C.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOG_DIR } from './config.mjs';

const running = new Set();
const cleanups = new Set();
const KILL_GRACE_MS = 3000;
const READY_POLL_MS = 100;

// Another process could take the port before the target binds, but on a benchmark machine that
// race is not worth more machinery.
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

// True once the process has ended, or never started (spawn error, e.g. taskset missing).
function hasExited(child) {
  return child.exitCode !== null || child.signalCode !== null || Boolean(child.spawnError);
}

function describeExit(child) {
  return child.spawnError?.message ?? `${child.exitCode ?? child.signalCode}`;
}

// `taskset` execs node in place, so the pid we get is node's own and the pinning is real.
export function spawnPinned(cpu, nodeArgs, { env = {}, stdio = ['ignore', 'ignore', 'ignore'] }) {
  const child = spawn('taskset', ['-c', cpu, process.execPath, ...nodeArgs], {
    env: { ...process.env, ...env },
    stdio,
    // Own process group: Ctrl-C in the terminal does not reach it directly, so the harness
    // decides the order of shutdown, and killing the group also stops anything it spawned.
    detached: true,
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', (error) => {
    child.spawnError = error;
    running.delete(child);
  });
  return child;
}

/**
 * spawnPinned with stderr in bench/results/logs/<name>.log; stdout goes there too when
 * `keepStdout`, else to /dev/null (gridkey logs a JSON line per request: hundreds of megabytes).
 */
export function spawnLogged(name, cpu, nodeArgs, { env, keepStdout = false }) {
  mkdirSync(LOG_DIR, { recursive: true });
  const logPath = `${LOG_DIR}${name}.log`;
  const logFd = openSync(logPath, 'w');
  try {
    const child = spawnPinned(cpu, nodeArgs, {
      env,
      stdio: ['ignore', keepStdout ? logFd : 'ignore', logFd],
    });
    return { child, logPath };
  } finally {
    closeSync(logFd);
  }
}

function waitForExit(child) {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.once('error', resolve);
  });
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export async function stopProcess(child) {
  if (!child.pid || hasExited(child)) return;
  signalGroup(child, 'SIGTERM');
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), KILL_GRACE_MS);
  });
  const outcome = await Promise.race([waitForExit(child), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    signalGroup(child, 'SIGKILL');
    await waitForExit(child);
  }
}

export function stopAllProcesses() {
  return Promise.all([...running].map(stopProcess));
}

/** Collects a child's stdout and stderr as text; attach it right after spawning. */
function collectOutput(child) {
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk) => {
    out.stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    out.stderr += chunk;
  });
  return out;
}

/** Waits for a child that prints one JSON document; stops it after `watchdogMs`. */
export async function jsonResultOf(child, what, watchdogMs) {
  const out = collectOutput(child);
  const watchdog = setTimeout(() => stopProcess(child), watchdogMs);
  try {
    await waitForExit(child);
  } finally {
    clearTimeout(watchdog);
  }
  if (child.exitCode !== 0) {
    throw new Error(`${what} failed (${describeExit(child)}): ${out.stderr.trim()}`);
  }
  return JSON.parse(out.stdout);
}

/** Polls `url` until it answers 200; throws when the process dies or time runs out. */
export async function waitUntilReady(url, child, { timeoutMs = 60_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      throw new Error(`server exited before it was ready (${describeExit(child)})`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(READY_POLL_MS);
  }
  throw new Error(`server not ready at ${url} after ${timeoutMs} ms`);
}

/** Registers work to do if the harness is interrupted; returns a function that unregisters it. */
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

/** Ctrl-C (and SIGTERM/SIGHUP) stop every process and remove temporary data before exiting. */
export function installShutdownHandlers() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, interrupted);
  // Last resort when the harness exits without stopping its children: 'exit' handlers must be
  // synchronous, so there is no grace period here.
  process.once('exit', () => {
    for (const child of running) signalGroup(child, 'SIGKILL');
  });
}
