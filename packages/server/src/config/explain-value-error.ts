import type { TSchema } from '@sinclair/typebox';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/value';

/** What a pattern stands for, in words: a regular expression helps no one. */
const PATTERN_MEANS: Readonly<Record<string, string>> = {
  db: 'a sqlite:PATH, postgres://… or postgresql://… URL',
  issuer: 'an http:// or https:// URL without query or fragment',
  redisUrl: 'a redis:// or rediss:// URL',
};

/** The value as it was given, quoted and cut short. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return `'${text.length > 60 ? `${text.slice(0, 60)}…` : text}'`;
}

const range = (schema: TSchema) =>
  schema.minimum !== undefined && schema.maximum !== undefined
    ? ` from ${schema.minimum} to ${schema.maximum}`
    : '';

/**
 * What is wrong with a setting, after its name: `must be one of fatal, …
 * (got 'loud')`. Said from the schema the value failed, so that the allowed
 * values and ranges are the ones enforced; TypeBox's own message (`Expected
 * union value`) is the fallback.
 */
export function explainValueError(key: string, error: ValueError): string {
  const { schema, value } = error;
  const got = ` (got ${shown(value)})`;
  if (error.type === ValueErrorType.ObjectAdditionalProperties && !error.path.includes('/', 1)) {
    return 'is not a setting';
  }
  const literals = (schema.anyOf as TSchema[] | undefined)?.map((s) => s.const);
  if (literals?.every((l) => typeof l === 'string')) {
    return `must be one of ${literals.join(', ')}${got}`;
  }
  if (schema.type === 'integer') return `must be a whole number${range(schema)}${got}`;
  if (schema.type === 'number') return `must be a number${range(schema)}${got}`;
  if (schema.type === 'string') {
    if (typeof value !== 'string') return `must be a string${got}`;
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      return 'must not be empty';
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      return `must be at most ${schema.maxLength} characters`;
    }
    const means = PATTERN_MEANS[key];
    if (schema.pattern !== undefined) {
      return `must be ${means ?? `a string matching ${schema.pattern}`}${got}`;
    }
  }
  const where = error.path.split('/').slice(2).join('/');
  const message = error.message.charAt(0).toLowerCase() + error.message.slice(1);
  return `is not valid: ${message}${where === '' ? '' : ` at ${where}`}${got}`;
}
