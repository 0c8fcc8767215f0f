import { connect } from 'node:net';
import SQLite from 'better-sqlite3';
import pg from 'pg';

/**
 * A request written byte for byte on its own socket: fetch() refuses the
 * methods, header values, duplicated headers and framings the fuzzer wants
 * to send, so it is not used here.
 */
export interface RawRequest {
  method: string;
  /** The request target, sent as is (path and query). */
  target: string;
  /** In order; a name may repeat. */
  headers: readonly (readonly [string, string])[];
  body?: string;
  /** `length`: a correct Content-Length; `chunked`: Transfer-Encoding; `none`: no framing header. */
  framing: 'length' | 'chunked' | 'none';
}

export interface RawResponse {
  status: number;
  /** Lower-case names; repeated fields joined with `, `. */
  headers: Record<string, string>;
  text: string;
}

/** Long enough to mean "the server hangs", not a timing assertion. */
const HANG_MS = 15_000;

function encode(port: number, req: RawRequest): Buffer {
  const lines = [`${req.method} ${req.target} HTTP/1.1`, `host: 127.0.0.1:${port}`];
  lines.push('connection: close');
  for (const [name, value] of req.headers) lines.push(`${name}: ${value}`);
  const body = Buffer.from(req.body ?? '', 'utf8');
  if (req.framing === 'length') lines.push(`content-length: ${body.length}`);
  if (req.framing === 'chunked') lines.push('transfer-encoding: chunked');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  if (req.framing === 'none') return head;
  if (req.framing === 'length') return Buffer.concat([head, body]);
  const chunk =
    body.length === 0 ? '' : `${body.length.toString(16)}\r\n${body.toString('latin1')}\r\n`;
  return Buffer.concat([head, Buffer.from(`${chunk}0\r\n\r\n`, 'latin1')]);
}

function decodeChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** The first final (non-1xx) response in what the server sent. */
function parseResponse(data: Buffer): RawResponse | undefined {
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const [statusLine = '', ...fields] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    if (!Number.isInteger(status)) return undefined;
    const headers: Record<string, string> = {};
    for (const field of fields) {
      const colon = field.indexOf(':');
      const name = field.slice(0, colon).trim().toLowerCase();
      const value = field.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    let body = rest.subarray(end + 4);
    if (status < 200) {
      rest = body;
      continue;
    }
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = decodeChunked(body);
    else if (headers['content-length'] !== undefined) {
      body = body.subarray(0, Number(headers['content-length']));
    }
    return { status, headers, text: body.toString('utf8') };
  }
}

/**
 * Sends one request with `Connection: close` and reads until the server
 * closes. Rejects when nothing parseable came back: no answer, or a hang.
 */
export function rawHttp(port: number, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const res = parseResponse(Buffer.concat(chunks));
      if (res !== undefined) resolve(res);
      else reject(err ?? new Error('the server closed the connection without an answer'));
    };
    socket.setTimeout(HANG_MS, () => finish(new Error(`no answer within ${HANG_MS} ms`)));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // The server may answer (413, 400) and close before it has read all we
    // sent: the write then fails, but the answer is in.
    socket.on('error', (err) => finish(err));
    // Written, not ended: Node's server ends a connection whose client has
    // half-closed it (httpAllowHalfOpen is off) before a slower answer is out.
    socket.write(encode(port, req));
  });
}

/** Row counts of every table of a gridkey database, read over a connection of its own. */
export interface RowCounter {
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function openRowCounter(dbUrl: string): Promise<RowCounter> {
  // What records an attempt is not a change (attack-helpers.ts, RECORDS_OF_ATTEMPTS): the
  // usage counters, and the audit entries of refused or failed actions.
  const countOf = (t: string) =>
    t === 'audit_log'
      ? `(select count(*) from "${t}" where outcome = 'ok') as "${t}"`
      : `(select count(*) from "${t}") as "${t}"`;
  const countAll = (tables: string[]) =>
    `select ${tables
      .filter((t) => t !== 'usage_counts')
      .map(countOf)
      .join(', ')}`;
  if (dbUrl.startsWith('sqlite:')) {
    const db = new SQLite(dbUrl.slice('sqlite:'.length), { fileMustExist: true });
    const tables = (
      db
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
        .all() as { name: string }[]
    ).map((t) => t.name);
    const query = db.prepare(countAll(tables));
    return {
      counts: async () => query.get() as Record<string, number>,
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const tables = (
    await client.query<{ tablename: string }>(
      'select tablename from pg_tables where schemaname = current_schema()',
    )
  ).rows.map((t) => t.tablename);
  const query = countAll(tables);
  return {
    async counts() {
      const [row = {}] = (await client.query<Record<string, string>>(query)).rows;
      return Object.fromEntries(Object.entries(row).map(([t, n]) => [t, Number(n)]));
    },
    close: () => client.end(),
  };
}
