import { InvalidFieldError } from '../errors.js';
import { parseInstant } from '../lib/iso-time.js';
import type { CredentialKind, UsageCount, UsageGranularity } from '../store/types.js';
import { TOKENS_ISSUED, USES } from '../usage/record-usage.js';
import { BUCKET_SECONDS, bucketStart } from '../usage/usage-buckets.js';
import type { OperationContext } from './context.js';

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** The range a query covers when it names no `since`, per granularity. */
const DEFAULT_WINDOW_SECONDS: Readonly<Record<UsageGranularity, number>> = {
  minute: 3600,
  hour: 86400,
  day: 30 * 86400,
};

/** A longer range would answer with more buckets per credential than a page or a terminal shows. */
const MAX_BUCKETS = 10_000;

/**
 * The seed's advice to a client that requests far more tokens than their
 * lifetime justifies (seeds/edrv-token-request.txt, "Excessive Token
 * Requests"); the token endpoint's 429 says the same.
 */
export const REUSE_ADVICE =
  'reuse the token until it expires: save it, and request a new one only when it is about to expire (see expires_in)';

/** A time range and bucket width, by the neutral field names of the admin API. */
export interface UsageRangeInput {
  /** ISO 8601 or unix seconds; default: a window before `until` (an hour of minutes, a day of hours, 30 days). */
  since?: string | undefined;
  /** ISO 8601 or unix seconds, inclusive; default now. */
  until?: string | undefined;
  /** Default `hour`. */
  granularity?: UsageGranularity | undefined;
}

export interface UsageQueryInput extends UsageRangeInput {
  kind?: CredentialKind | undefined;
  /** One credential of `kind`: a client_id, an API key's or a PAT's id. */
  id?: string | undefined;
}

/** One credential's counts in one bucket. */
export interface UsageBucket {
  kind: CredentialKind;
  id: string;
  start: string;
  tokens_issued: number;
  uses: number;
  /** Refused token requests by OAuth error code (`too_many_requests`, `invalid_client`, …). */
  refused: Record<string, number>;
}

interface ResolvedRange {
  granularity: UsageGranularity;
  /** The first bucket's start: `since` rounded down to its bucket. */
  from: number;
  /** Inclusive. */
  until: number;
}

function resolveRange(ctx: OperationContext, input: UsageRangeInput): ResolvedRange {
  const granularity = input.granularity ?? 'hour';
  const until = input.until === undefined ? ctx.now : parseInstant(input.until, 'until');
  const since =
    input.since === undefined
      ? until - DEFAULT_WINDOW_SECONDS[granularity]
      : parseInstant(input.since, 'since');
  if (since > until) throw new InvalidFieldError('since', 'must not be after until');
  const from = bucketStart(granularity, since);
  if ((until - from) / BUCKET_SECONDS[granularity] > MAX_BUCKETS) {
    throw new InvalidFieldError(
      'since',
      `is too long before until for ${granularity} buckets (at most ${MAX_BUCKETS})${granularity === 'day' ? '' : ': choose a wider granularity'}`,
    );
  }
  return { granularity, from, until };
}

/** Stored counters (one per metric) as one entry per credential and bucket. */
function toBuckets(rows: readonly UsageCount[]): UsageBucket[] {
  const buckets: (UsageBucket & { at: number })[] = [];
  let last: (UsageBucket & { at: number }) | undefined;
  for (const r of rows) {
    if (
      last === undefined ||
      last.at !== r.bucketStart ||
      last.kind !== r.kind ||
      last.id !== r.id
    ) {
      last = {
        at: r.bucketStart,
        kind: r.kind,
        id: r.id,
        start: iso(r.bucketStart),
        tokens_issued: 0,
        uses: 0,
        refused: {},
      };
      buckets.push(last);
    }
    if (r.metric === TOKENS_ISSUED) last.tokens_issued += r.count;
    else if (r.metric === USES) last.uses += r.count;
    else if (r.metric.startsWith('refused.'))
      last.refused[r.metric.slice('refused.'.length)] = r.count;
  }
  return buckets.map(({ at: _, ...bucket }) => bucket);
}

/**
 * Usage per credential and bucket: tokens issued and refused (clients),
 * uses (API keys and PATs). Buckets are those starting from `since`'s
 * bucket to `until`; what the node has counted but not yet written (at most
 * `usageFlushIntervalMs` old) is not in it.
 */
export async function getUsage(ctx: OperationContext, input: UsageQueryInput) {
  if (input.id !== undefined && input.kind === undefined) {
    throw new InvalidFieldError('kind', 'is required with id');
  }
  const range = resolveRange(ctx, input);
  const rows = await ctx.gk.store.usage.list({
    granularity: range.granularity,
    from: range.from,
    to: range.until + 1,
    ...(input.kind === undefined ? {} : { kind: input.kind }),
    ...(input.id === undefined ? {} : { id: input.id }),
  });
  return {
    granularity: range.granularity,
    since: iso(range.from),
    until: iso(range.until),
    buckets: toBuckets(rows),
  };
}

export interface TopRequestersInput extends UsageRangeInput {
  /** How many nodes a client runs (its instances), each of which may hold a token; default 1. */
  instances?: number | undefined;
  /** Default 20. */
  limit?: number | undefined;
}

/**
 * The clients that were issued the most tokens over the range, most first,
 * each against what its access-token lifetime justifies: one new token per
 * lifetime per instance (the range's lifetimes, rounded up, times
 * `instances`). A client past that is flagged, with the seed's advice.
 */
export async function topRequesters(ctx: OperationContext, input: TopRequestersInput) {
  const range = resolveRange(ctx, input);
  const instances = input.instances ?? 1;
  const seconds = Math.max(1, range.until + 1 - range.from);
  const totals = await ctx.gk.store.usage.totals({
    granularity: range.granularity,
    from: range.from,
    to: range.until + 1,
    kind: 'client',
    metric: TOKENS_ISSUED,
    limit: input.limit ?? 20,
  });
  const clients = [];
  for (const { id, count } of totals) {
    const client = await ctx.gk.store.clients.findById(id);
    const lifetime = client?.accessTokenTtlSeconds ?? ctx.gk.config.accessTokenTtlSeconds;
    const justified = Math.ceil(seconds / lifetime) * instances;
    const over = count > justified;
    clients.push({
      client_id: id,
      name: client?.name ?? null,
      tokens_issued: count,
      access_token_ttl_seconds: lifetime,
      justified_tokens: justified,
      tokens_per_lifetime: Math.round(((count * lifetime) / seconds) * 100) / 100,
      over_requesting: over,
      advice: over ? REUSE_ADVICE : null,
    });
  }
  return {
    granularity: range.granularity,
    since: iso(range.from),
    until: iso(range.until),
    instances,
    clients,
  };
}
