import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type StoreTarget, storeTargets } from '../../../test/helpers/stores.js';
import { startTestServer, type TestServer } from '../../../test/helpers/test-server.js';
import { MAX_READINGS_PER_POST } from '../src/routes/readings-schema.js';
import {
  accessToken,
  bearer,
  type EnergyApiFixture,
  startEnergyApi,
} from './energy-api-fixture.js';

const AT_FORMAT = 'must be an ISO 8601 date-time with a time zone, e.g. 2026-01-05T00:00:00Z';

/** `count` quarter hours from the end of the seeded week on. */
const newReadings = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    at: new Date(Date.UTC(2026, 0, 12) + i * 15 * 60 * 1000).toISOString(),
    kwh: i / 10,
  }));

// SQLite only: the API is what is under test here, not gridkey's stores.
const [sqlite] = storeTargets() as [StoreTarget];

describe('POST /meters/:id/readings, verified by a real gridkey', () => {
  let gridkey: TestServer;
  let api: EnergyApiFixture;
  let headers: Record<string, string>;

  beforeAll(async () => {
    gridkey = await startTestServer(sqlite);
    headers = bearer(await accessToken(gridkey, ['readings:read', 'readings:write']));
  });
  // A fresh database per test, so that "nothing stored" is measured against the seed alone.
  beforeEach(async () => {
    api = await startEnergyApi(gridkey);
    return () => api.close();
  });
  afterAll(() => gridkey?.close());

  const post = (payload: unknown, meter = 'm-1001') =>
    api.app.inject({
      method: 'POST',
      url: `/meters/${meter}/readings`,
      headers,
      payload: payload as object,
    });
  const postRaw = (body: string, contentType = 'application/json') =>
    api.app.inject({
      method: 'POST',
      url: '/meters/m-1001/readings',
      headers: { ...headers, 'content-type': contentType },
      body,
    });
  /** Every reading stored, all meters, in a stable order. */
  const allReadings = () =>
    api.db.selectFrom('readings').selectAll().orderBy('meter_id').orderBy('at').execute();

  it('stores one reading and answers 201 with what it stored', async () => {
    const res = await post({ at: '2026-01-12T01:00:00+01:00', kwh: 1.25 });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      meter: 'm-1001',
      readings: [{ at: '2026-01-12T00:00:00.000Z', kwh: 1.25 }],
    });
    const read = await api.app.inject({
      method: 'GET',
      url: '/meters/m-1001/readings?from=2026-01-11T23:45:00Z&to=2026-01-13T00:00:00Z',
      headers,
    });
    expect(read.json().readings).toEqual([
      { at: '2026-01-11T23:45:00.000Z', kwh: expect.any(Number) },
      { at: '2026-01-12T00:00:00.000Z', kwh: 1.25 },
    ]);
  });

  it('stores an array of readings, kwh 0 included, as one', async () => {
    const readings = newReadings(96);
    const res = await post(readings, 'm-1003');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ meter: 'm-1003', readings });
    expect((await allReadings()).filter((r) => r.meter_id === 'm-1003')).toHaveLength(672 + 96);
  });

  it('accepts the largest batch', async () => {
    const res = await post(newReadings(MAX_READINGS_PER_POST));
    expect(res.statusCode).toBe(201);
    expect((await allReadings()).length).toBe(3 * 672 + MAX_READINGS_PER_POST);
  });

  it('answers a reading for a quarter hour that has one 409, and stores none of the batch', async () => {
    const before = await allReadings();
    const single = await post({ at: '2026-01-05T12:00:00Z', kwh: 9 });
    expect(single.statusCode).toBe(409);
    expect(single.json()).toEqual({
      error: 'conflict',
      error_description: 'meter m-1001 already has a reading at 2026-01-05T12:00:00.000Z',
    });
    // The same instant written another way is the same quarter hour.
    const batch = await post([...newReadings(3), { at: '2026-01-05T13:00:00+01:00', kwh: 9 }]);
    expect(batch.statusCode).toBe(409);
    expect(batch.json().error_description).toBe(
      'meter m-1001 already has a reading at 2026-01-05T12:00:00.000Z',
    );
    expect(await allReadings()).toEqual(before);
  });

  it('answers a batch that holds one quarter hour twice 409', async () => {
    const before = await allReadings();
    const res = await post([
      { at: '2026-01-12T00:00:00Z', kwh: 1 },
      { at: '2026-01-12T00:00:00.000+00:00', kwh: 2 },
    ]);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: 'conflict',
      error_description: 'the body holds more than one reading at 2026-01-12T00:00:00.000Z',
    });
    expect(await allReadings()).toEqual(before);
  });

  it('answers an unknown meter 404', async () => {
    const res = await post({ at: '2026-01-12T00:00:00Z', kwh: 1 }, 'm-9999');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: 'not_found',
      error_description: 'no meter with id m-9999',
    });
  });

  const bad: [string, unknown, string][] = [
    ['a negative kwh', { at: '2026-01-12T00:00:00Z', kwh: -0.1 }, 'body.kwh must be >= 0'],
    [
      'kwh as a string',
      { at: '2026-01-12T00:00:00Z', kwh: '1.5' },
      'body.kwh must be of type number',
    ],
    ['kwh null', { at: '2026-01-12T00:00:00Z', kwh: null }, 'body.kwh must be of type number'],
    ['no kwh', { at: '2026-01-12T00:00:00Z' }, 'body.kwh is required'],
    ['no at', { kwh: 1 }, 'body.at is required'],
    ['an at that is no date', { at: 'yesterday', kwh: 1 }, `body.at ${AT_FORMAT}`],
    ['an at with no time zone', { at: '2026-01-12T00:00:00', kwh: 1 }, `body.at ${AT_FORMAT}`],
    ['an at as a number', { at: 1767571200000, kwh: 1 }, 'body.at must be of type string'],
    [
      'a leap second',
      { at: '2016-12-31T23:59:60Z', kwh: 1 },
      'body.at is not a date-time this API can store',
    ],
    [
      'an unknown member',
      { at: '2026-01-12T00:00:00Z', kwh: 1, meter: 'm-1002' },
      'body.meter is not allowed',
    ],
    [
      'a bad reading in a batch',
      [...newReadings(2), { at: '2026-01-13T00:00:00Z', kwh: -1 }],
      'body[2].kwh must be >= 0',
    ],
    ['an empty batch', [], 'body must hold at least 1 reading'],
    [
      'a batch over the limit',
      newReadings(MAX_READINGS_PER_POST + 1),
      `body must hold at most ${MAX_READINGS_PER_POST} readings`,
    ],
    ['a string', 'reading', 'body must be of type object'],
    ['a number', 42, 'body must be of type object'],
  ];
  it.each(bad)('refuses %s with 400 and stores nothing', async (_what, payload, message) => {
    const before = await allReadings();
    const res = await postRaw(JSON.stringify(payload));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: message });
    expect(await allReadings()).toEqual(before);
  });

  it.each([
    [
      'kwh 1e400 (Infinity once parsed)',
      '{"at":"2026-01-12T00:00:00Z","kwh":1e400}',
      400,
      'body.kwh must be of type number',
    ],
    ['a body that is not JSON', '{"at":', 400, 'the body is not valid JSON'],
    ['an empty body', '', 400, 'the JSON body is empty'],
    [
      'a __proto__ member',
      '{"__proto__":{"x":1},"at":"2026-01-12T00:00:00Z","kwh":1}',
      400,
      'the body is not valid JSON',
    ],
  ])('refuses %s and stores nothing', async (_what, body, status, message) => {
    const before = await allReadings();
    const res = await postRaw(body);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: message });
    expect(await allReadings()).toEqual(before);
  });

  it.each([
    ['application/x-www-form-urlencoded', 'at=2026-01-12T00:00:00Z&kwh=1'],
    ['text/plain', '{"at":"2026-01-12T00:00:00Z","kwh":1}'],
  ])('refuses a %s body with 415 and stores nothing', async (contentType, body) => {
    const before = await allReadings();
    const res = await postRaw(body, contentType);
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({
      error: 'unsupported_media_type',
      error_description: 'send the body as application/json',
    });
    expect(await allReadings()).toEqual(before);
  });
});
