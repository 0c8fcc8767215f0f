import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors.js';
import { FormParams } from './form-params.js';

const form = (text: string, type = 'application/x-www-form-urlencoded') =>
  FormParams.from(type, FormParams.parse(text));

describe('FormParams', () => {
  it('reads parameters, decoding + and percent escapes', () => {
    const p = form('grant_type=client_credentials&scope=a+b%20c');
    expect(p.get('grant_type')).toBe('client_credentials');
    expect(p.get('scope')).toBe('a b c');
  });

  it('treats an empty value as omitted (RFC 6749 §3.1)', () => {
    expect(form('scope=').get('scope')).toBeUndefined();
    expect(() => form('grant_type=').require('grant_type')).toThrow('missing parameter grant_type');
  });

  it('refuses repeated parameters (RFC 6749 §3.2)', () => {
    expect(() => form('a=1&a=2')).toThrow(InvalidRequestError);
    expect(() => form('a=1&a=')).toThrow('parameter a is repeated');
  });

  it('never echoes an odd parameter name', () => {
    expect(() => form('%3Cscript%3E=1&%3Cscript%3E=2')).toThrow('parameter (unnamed) is repeated');
  });

  it('accepts a charset parameter and refuses other media types', () => {
    expect(form('a=1', 'application/x-www-form-urlencoded; charset=UTF-8').get('a')).toBe('1');
    expect(() => form('a=1', 'application/json')).toThrow(InvalidRequestError);
    expect(() => FormParams.from(undefined, undefined)).toThrow(InvalidRequestError);
    expect(() => FormParams.from('application/x-www-form-urlencoded', { a: '1' })).toThrow(
      InvalidRequestError,
    );
  });
});
