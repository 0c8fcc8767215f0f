import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One bash process that runs commands one after another, so that a variable
 * one command sets is there for the next, as in a reader's terminal.
 */
export interface ShellSession {
  /** Runs a command; resolves with its stdout and stderr together. */
  run(command: string, timeoutMs: number): Promise<{ output: string; code: number }>;
  close(): void;
}

const DONE = '__gridkey_doc_done__';

export function openShellSession(cwd: string, env: NodeJS.ProcessEnv): ShellSession {
  const bash: ChildProcess = spawn('bash', ['--noprofile', '--norc'], {
    cwd,
    env,
    detached: true,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let control = '';
  let waiting: (() => void) | null = null;
  let exited: (() => void) | null = null;
  bash.on('exit', () => exited?.());
  bash.stdout?.on('data', (d) => {
    control += d;
    waiting?.();
  });
  let count = 0;
  const kill = () => {
    if (bash.pid !== undefined && bash.exitCode === null) {
      try {
        process.kill(-bash.pid, 'SIGKILL');
      } catch {}
    }
  };
  return {
    async run(command, timeoutMs) {
      if (bash.exitCode !== null || bash.signalCode !== null) throw new Error('the shell exited');
      count += 1;
      const script = join(cwd, `.doc-command-${count}.sh`);
      const out = join(cwd, `.doc-output-${count}`);
      await writeFile(script, `${command}\n`);
      control = '';
      const done = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          kill();
          reject(new Error(`timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        exited = () => reject(new Error('the shell exited'));
        waiting = () => {
          const m = new RegExp(`${DONE} (\\d+)`).exec(control);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        };
      });
      bash.stdin?.write(`source ${script} > ${out} 2>&1 < /dev/null; echo "${DONE} $?"\n`);
      const code = await done;
      return { output: await readFile(out, 'utf8'), code };
    },
    close: kill,
  };
}
