import { InvalidRequestError } from '../errors.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * The parameters of an OAuth form body (RFC 6749 §3.2, Appendix B). Parsed
 * once with URLSearchParams so that repeated names are seen, not silently
 * merged into arrays.
 */
export class FormParams {
  private constructor(private readonly values: ReadonlyMap<string, string>) {}

  /** Body parser for `@fastify/formbody`: keeps the raw parameters for {@link FormParams.from}. */
  static parse(text: string): URLSearchParams {
    return new URLSearchParams(text);
  }

  /** Checks the media type and parameters of a request body. */
  static from(contentType: string | undefined, body: unknown): FormParams {
    const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
    if (mediaType !== FORM_TYPE || !(body instanceof URLSearchParams)) {
      throw new InvalidRequestError(`the request body must be ${FORM_TYPE}`);
    }
    const values = new Map<string, string>();
    for (const [name, value] of body) {
      // RFC 6749 §3.2: parameters MUST NOT be included more than once.
      if (values.has(name))
        throw new InvalidRequestError(`parameter ${safeName(name)} is repeated`);
      values.set(name, value);
    }
    return new FormParams(values);
  }

  /** RFC 6749 §3.1: a parameter sent without a value is treated as omitted. */
  get(name: string): string | undefined {
    const value = this.values.get(name);
    return value === '' ? undefined : value;
  }

  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new InvalidRequestError(`missing parameter ${name}`);
    return value;
  }
}

/** Parameter names go into error descriptions: never echo more than a short, plain name. */
function safeName(name: string): string {
  return /^[a-z_]{1,40}$/i.test(name) ? name : '(unnamed)';
}
