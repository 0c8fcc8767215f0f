#!/usr/bin/env node
// Checks a commit subject against CONTRIBUTING.md: `type(scope): summary` or
// `type: summary`, one type from TYPES, the scope from SCOPES. Used by the
// commit-msg hook in .githooks/ (git config core.hooksPath .githooks).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What a commit does; one per commit. */
export const TYPES = ['feat', 'fix', 'perf', 'refactor', 'test', 'docs', 'build', 'ci', 'chore'];

/** Where it does it; optional. */
export const SCOPES = [
  'server',
  'verify',
  'client',
  'admin',
  'cli',
  'store',
  'bench',
  'docs',
  'ci',
];

const SUBJECT = /^(?<type>[a-z]+)(?:\((?<scope>[a-z-]+)\))?(?<breaking>!)?: (?<summary>\S.*)$/;

/**
 * Why `subject` breaks the convention, or undefined when it keeps it.
 * Merge and revert subjects that git writes itself are accepted as they are.
 */
export function checkSubject(subject) {
  if (/^(Merge|Revert) /.test(subject)) return undefined;
  const match = SUBJECT.exec(subject);
  if (match === null) {
    return 'the subject must read "type(scope): summary" or "type: summary"';
  }
  const { type, scope, summary } = match.groups;
  if (!TYPES.includes(type)) return `unknown type '${type}' (one of: ${TYPES.join(', ')})`;
  if (scope !== undefined && !SCOPES.includes(scope)) {
    return `unknown scope '${scope}' (one of: ${SCOPES.join(', ')})`;
  }
  if (/^[a-z]+(\([a-z-]+\))?: /.test(summary)) return 'one type per commit: split the commit';
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error('usage: commit-subject.mjs COMMIT_MSG_FILE');
    process.exit(2);
  }
  const subject = readFileSync(file, 'utf8').split('\n')[0] ?? '';
  const problem = checkSubject(subject);
  if (problem !== undefined) {
    console.error(`commit subject: ${problem} (see CONTRIBUTING.md, "Commits")`);
    process.exit(1);
  }
}
