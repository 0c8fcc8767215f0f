import { type Static, Type } from '@sinclair/typebox';

/** The most readings one `POST` may carry: ten days of quarter hours, with room to spare. */
export const MAX_READINGS_PER_POST = 1000;

/** The widest `from`–`to` window one `GET` may ask for. */
export const MAX_RANGE_DAYS = 31;

// RFC 3339 §5.6 date-time (ajv-formats checks the calendar too, e.g. no 30 February);
// a time zone is required, since a reading at a local time without one is ambiguous.
const Instant = Type.String({ format: 'date-time', maxLength: 64 });

export const MeterParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export type MeterParams = Static<typeof MeterParams>;

export const ReadingsQuery = Type.Object(
  { from: Instant, to: Instant },
  { additionalProperties: false },
);
export type ReadingsQuery = Static<typeof ReadingsQuery>;

// JSON cannot carry NaN, and ajv refuses the Infinity that JSON.parse makes of 1e400,
// so `minimum: 0` is the whole of "finite and not negative".
export const NewReading = Type.Object(
  { at: Instant, kwh: Type.Number({ minimum: 0 }) },
  { additionalProperties: false },
);
export type NewReading = Static<typeof NewReading>;

const NewReadings = Type.Array(NewReading, { minItems: 1, maxItems: MAX_READINGS_PER_POST });

/**
 * One reading or an array of them. `if`/`then`/`else` rather than `anyOf`, so
 * that a bad reading is reported by what is wrong with it, not by "must match
 * a schema in anyOf".
 */
export const NewReadingsBody = Type.Unsafe<NewReading | NewReading[]>({
  if: { type: 'array' },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, never awaited.
  then: NewReadings,
  else: NewReading,
});
