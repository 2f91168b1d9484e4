import { describe, expect, it } from '@jest/globals';
import { IMAGE_TYPES, sniffMedia, sniffType } from './sniff.js';

/** A complete 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
const FLAC = Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(60)]);

describe('sniffMedia', () => {
  it('detects each accepted image type from its magic bytes', async () => {
    expect(await sniffMedia(PNG, IMAGE_TYPES)).toEqual({ mime: 'image/png', ext: 'png' });
    expect(await sniffMedia(JPEG, IMAGE_TYPES)).toEqual({ mime: 'image/jpeg', ext: 'jpg' });
    expect(await sniffMedia(WEBP, IMAGE_TYPES)).toEqual({ mime: 'image/webp', ext: 'webp' });
  });

  it('works from a truncated head', async () => {
    expect(await sniffMedia(PNG.subarray(0, 16), IMAGE_TYPES)).toEqual({ mime: 'image/png', ext: 'png' });
  });

  it('rejects detected types that are not accepted', async () => {
    expect(await sniffMedia(GIF, IMAGE_TYPES)).toBeNull();
    expect(await sniffMedia(FLAC, IMAGE_TYPES)).toBeNull();
  });

  it('rejects content it cannot identify', async () => {
    expect(await sniffMedia(Buffer.from('<!doctype html><html><body>not a png</body></html>'), IMAGE_TYPES)).toBeNull();
    expect(await sniffMedia(Buffer.from('just some text'), IMAGE_TYPES)).toBeNull();
    expect(await sniffMedia(Buffer.alloc(0), IMAGE_TYPES)).toBeNull();
  });

  it('accepts any list of MIME types', async () => {
    expect(await sniffMedia(FLAC, ['audio/flac', 'audio/mpeg'])).toEqual({ mime: 'audio/flac', ext: 'flac' });
    expect(await sniffMedia(PNG, [])).toBeNull();
  });
});

describe('sniffType', () => {
  it('detects any type it knows, accepted anywhere or not, and nothing else', async () => {
    expect(await sniffType(GIF)).toEqual({ mime: 'image/gif', ext: 'gif' });
    expect(await sniffType(FLAC)).toEqual({ mime: 'audio/flac', ext: 'flac' });
    expect(await sniffType(Buffer.from('just some text'))).toBeNull();
    expect(await sniffType(Buffer.alloc(0))).toBeNull();
  });
});
