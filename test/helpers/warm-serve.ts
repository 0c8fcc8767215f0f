import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CLI } from './cli.js';

const PRELOAD = fileURLToPath(new URL('./warm-serve-preload.mjs', import.meta.url));

export interface WarmServeProcess {
  proc: ChildProcess;
  /** Resolves once Node has started and the process waits for `start`. */
  warm: Promise<void>;
  /** Lets `gridkey serve` run; resolves with the URL from its `gridkey listening` line. */
  start(): Promise<string>;
  exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

/**
 * `gridkey serve --port 0 ARGS` as a real process (like serveProcess), started
 * at once but held back until `start()`: spawn the next one while the current
 * one works, for cheap restarts.
 */
export function warmServeProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  /** Node options, e.g. V8 flags that make a short-lived process cheaper. */
  execArgv: string[] = [],
): WarmServeProcess {
  const proc = spawn(
    process.execPath,
    [...execArgv, '--import', PRELOAD, CLI, 'serve', '--port', '0', ...args],
    {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
  const failed = (what: string) =>
    exited.then((code) => {
      throw new Error(
        `gridkey serve exited (${code ?? proc.signalCode}) before ${what}: ${stderr}`,
      );
    });
  const warm = Promise.race([
    new Promise<void>((resolve) => {
      proc.stderr?.on('data', (d) => {
        stderr += d;
        if (stderr.includes('gridkey warm\n')) resolve();
      });
    }),
    failed('it was warm'),
  ]);
  const listening = new Promise<string>((resolve) => {
    proc.stdout?.on('data', (d) => {
      stdout += d;
      const line = stdout
        .split('\n')
        // Complete lines only: a chunk can end in the middle of one.
        .slice(0, -1)
        .find((l) => l.includes('"gridkey listening"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  warm.catch(() => {});
  // A killed process's stdin is a broken pipe: not an error worth a crash.
  proc.stdin?.on('error', () => {});
  return {
    proc,
    warm,
    async start() {
      await warm;
      proc.stdin?.write('go\n');
      return Promise.race([listening, failed('listening')]);
    },
    exited,
    output: () => ({ stdout, stderr }),
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
