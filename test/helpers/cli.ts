import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The command users run: the bin, which runs the bundled CLI (`npm run bundle`). */
export const CLI = fileURLToPath(new URL('../../packages/server/bin/gridkey.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json(): unknown;
}

/** Runs the built `gridkey` command (npm test builds it first). */
export function runCli(
  args: string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) as unknown }),
    );
    child.stdin.end(options.stdin ?? '');
  });
}
