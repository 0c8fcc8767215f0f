// Starts child processes pinned to one CPU and keeps track of them so that every one of them can
// be stopped again (see shutdown.mjs for Ctrl-C and exit).
import { spawn } from 'node:child_process';

const running = new Set();
const KILL_GRACE_MS = 3000;

// True once the process has ended, or never started (spawn error, e.g. taskset missing).
export function hasExited(child) {
  return child.exitCode !== null || child.signalCode !== null || Boolean(child.spawnError);
}

export function describeExit(child) {
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

export function waitForExit(child) {
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

// Last resort when the harness exits without stopping its children: 'exit' handlers must be
// synchronous, so there is no grace period here.
export function killAllProcessesNow() {
  for (const child of running) signalGroup(child, 'SIGKILL');
}

/** Collects a child's stdout and stderr as text; attach it right after spawning. */
export function collectOutput(child) {
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
