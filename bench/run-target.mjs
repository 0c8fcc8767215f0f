// Benchmarks one target end to end: prepare it, start it pinned to the server CPU, wait until it
// answers, check the token it issues, measure, and always stop it and clean up afterwards.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findFreePort } from './free-port.mjs';
import { measureTarget } from './measure.mjs';
import { checkTokenResponse } from './preflight.mjs';
import { spawnPinned, stopProcess } from './processes.mjs';
import { onInterrupt } from './shutdown.mjs';
import { buildTokenRequest } from './token-request.mjs';
import { waitUntilReady } from './wait-ready.mjs';

const logDir = fileURLToPath(new URL('./results/logs/', import.meta.url));
// Server stdout (gridkey logs a JSON line per request) goes to /dev/null unless asked for:
// a 30-second run would otherwise write hundreds of megabytes. stderr always goes to the log.
const keepStdout = process.env.BENCH_SERVER_STDOUT === 'file';

export function startServer(name, prepared, cpu) {
  mkdirSync(logDir, { recursive: true });
  const logPath = `${logDir}${name}.log`;
  const logFd = openSync(logPath, 'w');
  try {
    const child = spawnPinned(cpu, prepared.nodeArgs, {
      env: prepared.env,
      stdio: ['ignore', keepStdout ? logFd : 'ignore', logFd],
    });
    return { child, logPath };
  } finally {
    closeSync(logFd);
  }
}

export async function runTarget(name, target, config, log) {
  const port = await findFreePort();
  const prepared = await target.prepare(port);
  const forgetCleanup = onInterrupt(prepared.cleanup);
  let server;
  try {
    const origin = `http://127.0.0.1:${port}`;
    server = startServer(name, prepared, config.serverCpu);
    log(`started on ${origin} (pid ${server.child.pid}, log ${server.logPath})`);
    try {
      await waitUntilReady(`${origin}${prepared.readyPath}`, server.child);
    } catch (error) {
      throw new Error(`${error.message}; see ${server.logPath}`);
    }
    const request = buildTokenRequest({
      url: `${origin}${prepared.tokenPath}`,
      ...prepared.credentials,
    });
    const token = await checkTokenResponse(request);
    log(`token check ok: ${JSON.stringify(token.tokenHeader)}, ${token.responseBytes} bytes`);
    const result = await measureTarget(request, config, log);
    return { ...result, ...prepared.details, tokenHeader: token.tokenHeader };
  } finally {
    if (server) await stopProcess(server.child);
    await prepared.cleanup();
    forgetCleanup();
  }
}
