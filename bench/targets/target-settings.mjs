// Settings the harness hands to every peer target through the environment: where to listen and
// the one client it must accept. Targets bind to loopback only.
export const HOST = '127.0.0.1';
export const AUDIENCE = 'urn:gridkey:bench';
export const TOKEN_TTL_SECONDS = 3600;

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`missing environment variable ${name}`);
  return value;
}

export function readTargetSettings() {
  const port = Number(required('PORT'));
  return {
    port,
    issuer: `http://${HOST}:${port}`,
    clientId: required('BENCH_CLIENT_ID'),
    clientSecret: required('BENCH_CLIENT_SECRET'),
  };
}
