import { createVerifier } from '@gridkey/verify';
import { buildEnergyApi, type Verifier } from './build-app.js';
import { loadConfig } from './config.js';
import { openEnergyDb } from './db.js';

/**
 * `npm run example`: reads the environment (see README.md), opens and seeds
 * the database, waits for the verifier to reach gridkey, and serves until
 * SIGTERM or SIGINT. Any failure to start is one line on stderr and exit 1.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const verifier: Verifier | 'off' = config.verify
    ? createVerifier({
        issuer: config.issuer,
        ...(config.introspection === undefined ? {} : { introspection: config.introspection }),
      })
    : 'off';
  const db = await openEnergyDb(config.dbPath);
  const closeAll = async () => {
    if (verifier !== 'off') await verifier.close();
    await db.destroy();
  };
  try {
    // Fail at start, not on the first request, when gridkey cannot be reached.
    if (verifier !== 'off') await verifier.ready();
  } catch (err) {
    await closeAll();
    throw new Error(`cannot reach gridkey at ${config.issuer}: ${(err as Error).message}`);
  }
  const app = await buildEnergyApi({
    verifier,
    db,
    errorStyle: config.errorStyle,
    logger: { level: config.logLevel },
  });
  await app.listen({ host: config.host, port: config.port });
  const { port } = app.server.address() as { port: number };
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  process.stderr.write(
    config.verify
      ? `energy API listening on ${url}, verifying tokens from ${config.issuer} (errors: ${config.errorStyle})\n`
      : `energy API listening on ${url} WITH VERIFICATION OFF (ENERGY_API_VERIFY=off, for benchmarks only)\n`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    // A second Ctrl-C while closing means "now".
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`${signal}: closing\n`);
    app
      .close()
      .then(closeAll)
      .then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`energy-api: error while closing: ${(err as Error).message}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`energy-api: ${(err as Error).message}\n`);
  process.exit(1);
});
