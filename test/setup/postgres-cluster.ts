/**
 * Starts one throwaway PostgreSQL cluster for the whole test run (see
 * helpers/postgres-cluster.ts), removed afterwards. Test files each create
 * their own database in it (see helpers/stores.ts).
 *
 * Without PostgreSQL binaries the PostgreSQL tests are skipped with a loud
 * message, except under CI=true, where that is a failure.
 */
import type { TestProject } from 'vitest/node';
import { findPostgresBinDir, startPostgresCluster } from '../helpers/postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | undefined;
  }
}

export default async function setup(project: TestProject) {
  const binDir = findPostgresBinDir();
  if (binDir === undefined) {
    if (process.env.CI === 'true') {
      throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found, and CI=true requires them');
    }
    console.warn(
      '\n!!! PostgreSQL not found: the PostgreSQL store tests are SKIPPED. Install postgresql to run them.\n',
    );
    project.provide('postgresUrl', undefined);
    return;
  }
  const cluster = await startPostgresCluster(binDir);
  project.provide('postgresUrl', cluster.url);
  return () => cluster.destroy();
}
