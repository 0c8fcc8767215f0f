import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreTarget, storeTargets } from '../../../test/helpers/stores.js';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { SEED_METERS, SEED_READINGS_PER_METER, seedKwh } from '../src/db.js';
import {
  accessToken,
  bearer,
  type EnergyApiFixture,
  startEnergyApi,
} from './energy-api-fixture.js';

const WEEK = 'from=2026-01-05T00:00:00Z&to=2026-01-12T00:00:00Z';

// SQLite only: the API is what is under test here, not gridkey's stores.
const [sqlite] = storeTargets() as [StoreTarget];

describe('GET /meters and GET /meters/:id/readings, verified by a real gridkey', () => {
  let gridkey: TestServer;
  let api: EnergyApiFixture;
  let headers: Record<string, string>;

  beforeAll(async () => {
    gridkey = await startTestServer(sqlite);
    api = await startEnergyApi(gridkey);
    headers = bearer(await accessToken(gridkey, ['meters:read', 'readings:read']));
  });
  afterAll(async () => {
    await api?.close();
    await gridkey?.close();
  });

  const get = (url: string) => api.app.inject({ method: 'GET', url, headers });

  it('lists the three seeded meters', async () => {
    const res = await get('/meters');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({
      meters: [
        { id: 'm-1001', name: 'Office block A', location: 'Utrecht, NL', unit: 'kWh' },
        { id: 'm-1002', name: 'Warehouse', location: 'Rotterdam, NL', unit: 'kWh' },
        { id: 'm-1003', name: 'Charging hub', location: 'Eindhoven, NL', unit: 'kWh' },
      ],
    });
  });

  it('holds 672 quarter-hour readings per meter over the seeded week', async () => {
    expect(SEED_READINGS_PER_METER).toBe(672);
    for (const meter of SEED_METERS) {
      const res = await get(`/meters/${meter.id}/readings?${WEEK}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.meter).toBe(meter.id);
      expect(body.from).toBe('2026-01-05T00:00:00.000Z');
      expect(body.to).toBe('2026-01-12T00:00:00.000Z');
      expect(body.readings).toHaveLength(672);
      expect(body.readings[0]).toEqual({
        at: '2026-01-05T00:00:00.000Z',
        kwh: seedKwh(meter.baseKwh, Date.UTC(2026, 0, 5)),
      });
      expect(body.readings[671].at).toBe('2026-01-11T23:45:00.000Z');
    }
  });

  it('follows a daily sine: lowest at midnight, highest at noon', async () => {
    const res = await get(
      '/meters/m-1001/readings?from=2026-01-06T00:00:00Z&to=2026-01-07T00:00:00Z',
    );
    const kwh = (res.json().readings as { kwh: number }[]).map((r) => r.kwh);
    expect(kwh).toHaveLength(96);
    expect(kwh[0]).toBe(1); // 2.5 × (1 − 0.6)
    expect(kwh[48]).toBe(4); // 2.5 × (1 + 0.6), at 12:00
    expect(Math.min(...kwh)).toBe(1);
    expect(Math.max(...kwh)).toBe(4);
  });

  it('returns exactly the readings with from <= at < to', async () => {
    const res = await get(
      '/meters/m-1002/readings?from=2026-01-06T00:00:00Z&to=2026-01-06T01:00:00Z',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      meter: 'm-1002',
      from: '2026-01-06T00:00:00.000Z',
      to: '2026-01-06T01:00:00.000Z',
      readings: [0, 15, 30, 45].map((minute) => ({
        at: `2026-01-06T00:${String(minute).padStart(2, '0')}:00.000Z`,
        kwh: seedKwh(6, Date.UTC(2026, 0, 6, 0, minute)),
      })),
    });
  });

  it('reads time zones as instants, and a window between quarter hours as empty', async () => {
    const offset = await get(
      '/meters/m-1002/readings?from=2026-01-06T01:00:00%2B01:00&to=2026-01-06T02:00:00%2B01:00',
    );
    expect(offset.json().readings).toHaveLength(4);
    expect(offset.json().readings[0].at).toBe('2026-01-06T00:00:00.000Z');
    const between = await get(
      '/meters/m-1002/readings?from=2026-01-06T00:01:00Z&to=2026-01-06T00:14:59Z',
    );
    expect(between.json().readings).toEqual([]);
    const same = await get(
      '/meters/m-1002/readings?from=2026-01-06T00:00:00Z&to=2026-01-06T00:00:00Z',
    );
    expect(same.json().readings).toEqual([]);
    const outside = await get(
      '/meters/m-1002/readings?from=2025-12-01T00:00:00Z&to=2025-12-31T00:00:00Z',
    );
    expect(outside.json().readings).toEqual([]);
  });

  it('answers an unknown meter 404', async () => {
    const res = await get(`/meters/m-9999/readings?${WEEK}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: 'not_found',
      error_description: 'no meter with id m-9999',
    });
  });

  it.each([
    ['', 'from is required'],
    ['from=2026-01-05T00:00:00Z', 'to is required'],
    [
      'from=yesterday&to=2026-01-06T00:00:00Z',
      'from must be an ISO 8601 date-time with a time zone, e.g. 2026-01-05T00:00:00Z',
    ],
    [
      'from=2026-01-05T00:00:00&to=2026-01-06T00:00:00Z',
      'from must be an ISO 8601 date-time with a time zone, e.g. 2026-01-05T00:00:00Z',
    ],
    [
      'from=2026-01-05T00:00:00Z&to=2026-02-30T00:00:00Z',
      'to must be an ISO 8601 date-time with a time zone, e.g. 2026-01-05T00:00:00Z',
    ],
    [
      'from=2026-01-05T00:00:00Z&to=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z',
      'to must be of type string',
    ],
    ['from=2026-01-06T00:00:00Z&to=2026-01-05T00:00:00Z', 'from must not be after to'],
    [
      'from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:01Z',
      'from and to may be at most 31 days apart',
    ],
    [`${WEEK}&limit=10`, 'unknown query parameter limit'],
  ])('refuses ?%s with 400: %s', async (query, message) => {
    const res = await get(`/meters/m-1001/readings?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: message });
  });

  it('allows a window of exactly 31 days', async () => {
    const res = await get(
      '/meters/m-1001/readings?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().readings).toHaveLength(672);
  });

  it('answers an unknown path 404 in the same style', async () => {
    const res = await get('/meters/m-1001');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: 'not_found',
      error_description: 'no route GET /meters/m-1001',
    });
  });
});
