import { type ChildProcess, spawn } from 'node:child_process';
import { CLI } from './cli.js';

export interface ServeProcess {
  proc: ChildProcess;
  /** Resolves with the listening URL from the `gridkey listening` log line. */
  listening: Promise<string>;
  exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
  stop(): Promise<void>;
}

/** `gridkey serve --port 0` as a real process; the caller stops it. */
export function serveProcess(args: string[], env: NodeJS.ProcessEnv = {}): ServeProcess {
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    env: { PATH: process.env.PATH, ...env },
  });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d) => {
    stdout += d;
  });
  proc.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
  const listening = new Promise<string>((resolve, reject) => {
    proc.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    proc.stdout?.on('data', () => {
      const line = stdout
        .split('\n')
        // Complete lines only: a chunk can end in the middle of one.
        .slice(0, -1)
        .find((l) => l.includes('"gridkey listening"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  listening.catch(() => {});
  return {
    proc,
    listening,
    exited,
    output: () => ({ stdout, stderr }),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
}
