import { UsageError } from '../errors.js';

/** Reads a secret from standard input (one trailing newline dropped), never from argv. */
export async function readSecretFromStdin(what: string): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError(`pipe the ${what} on standard input`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new UsageError(`no ${what} on standard input`);
  return text;
}
