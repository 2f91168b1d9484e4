import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { requestIdFor } from './request-context.js';

const req = (id?: string | string[]) => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as IncomingMessage;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe(requestIdFor.name, () => {
  it('keeps a sane id from the caller', () => {
    expect(requestIdFor(req('abc-123'))).toBe('abc-123');
    expect(requestIdFor(req('4bf92f35.77:b3_1'))).toBe('4bf92f35.77:b3_1');
  });

  it.each([
    ['none', undefined],
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'a b'],
    ['with a newline', 'a\nb'],
    ['repeated', ['a', 'b']],
  ])('makes a new UUID for %s', (_name, id) => {
    expect(requestIdFor(req(id))).toMatch(UUID);
  });

  it('makes a different id each time', () => {
    expect(requestIdFor(req())).not.toBe(requestIdFor(req()));
  });
});
