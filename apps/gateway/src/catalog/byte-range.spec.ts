import { describe, expect, it } from '@jest/globals';
import { contentRange, resolveRange, type RangeOutcome } from './byte-range.js';

const SIZE = 1000;
const partial = (start: number, end: number): RangeOutcome => ({ kind: 'partial', range: { start, end } });
const full: RangeOutcome = { kind: 'full' };
const unsatisfiable: RangeOutcome = { kind: 'unsatisfiable' };

describe(resolveRange.name, () => {
  it('answers the whole resource without a Range header', () => {
    expect(resolveRange(undefined, SIZE)).toEqual(full);
  });

  it.each([
    ['bytes=0-99', partial(0, 99)],
    ['bytes=100-100', partial(100, 100)],
    ['bytes=990-999', partial(990, 999)],
    ['bytes=0-999', partial(0, 999)],
    // The last position is clipped to the resource.
    ['bytes=900-5000', partial(900, 999)],
    ['bytes=0-99999999999999999999', partial(0, 999)],
  ])('resolves the single range %s', (header, expected) => {
    expect(resolveRange(header, SIZE)).toEqual(expected);
  });

  it.each([
    ['bytes=500-', partial(500, 999)],
    ['bytes=0-', partial(0, 999)],
    ['bytes=999-', partial(999, 999)],
  ])('resolves the open range %s to the end', (header, expected) => {
    expect(resolveRange(header, SIZE)).toEqual(expected);
  });

  it.each([
    ['bytes=-1', partial(999, 999)],
    ['bytes=-100', partial(900, 999)],
    ['bytes=-1000', partial(0, 999)],
    // A suffix longer than the resource is all of it.
    ['bytes=-5000', partial(0, 999)],
  ])('resolves the suffix range %s to absolute positions', (header, expected) => {
    expect(resolveRange(header, SIZE)).toEqual(expected);
  });

  it('accepts the unit in any case and spaces around the parts', () => {
    expect(resolveRange('Bytes = 10-19', SIZE)).toEqual(partial(10, 19));
    expect(resolveRange('bytes=10-19, ', SIZE)).toEqual(partial(10, 19));
  });

  it.each([
    ['starts at the size', 'bytes=1000-'],
    ['starts past the end', 'bytes=5000-6000'],
    ['asks for an empty suffix', 'bytes=-0'],
    ['is reversed', 'bytes=20-10'],
    ['is not numeric', 'bytes=abc'],
    ['has no positions', 'bytes=-'],
    ['is empty', 'bytes='],
    ['is negative', 'bytes=-5-10'],
    ['has a fraction', 'bytes=1.5-2'],
  ])('is unsatisfiable when the range %s', (_what, header) => {
    expect(resolveRange(header, SIZE)).toEqual(unsatisfiable);
  });

  it('is unsatisfiable for any range of an empty resource', () => {
    expect(resolveRange('bytes=0-', 0)).toEqual(unsatisfiable);
    expect(resolveRange('bytes=-10', 0)).toEqual(unsatisfiable);
  });

  it('answers the whole resource for several ranges, unless none can be satisfied', () => {
    expect(resolveRange('bytes=0-9,20-29', SIZE)).toEqual(full);
    expect(resolveRange('bytes=0-9,5000-', SIZE)).toEqual(full);
    expect(resolveRange('bytes=5000-,6000-', SIZE)).toEqual(unsatisfiable);
    expect(resolveRange('bytes=0-9,junk', SIZE)).toEqual(unsatisfiable);
  });

  it('ignores units other than bytes, as RFC 9110 asks', () => {
    expect(resolveRange('items=0-5', SIZE)).toEqual(full);
    expect(resolveRange('0-5', SIZE)).toEqual(full);
  });
});

describe(contentRange.name, () => {
  it('formats the range and the full size', () => {
    expect(contentRange({ start: 0, end: 99 }, 1000)).toBe('bytes 0-99/1000');
  });
});
