import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetFormatError } from './dataset-format-error';
import { parseIdx } from './parse-idx';
import { buildIdx } from './test-fixtures';

describe('parseIdx', () => {
  const pixels = [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255];

  it('parses a uint8 IDX3 file into its shape and values', () => {
    const parsed = parseIdx(buildIdx(0x08, [2, 2, 3], pixels));
    expect(parsed.dtype).toBe('uint8');
    expect(parsed.shape).toEqual([2, 2, 3]);
    expect([...parsed.data]).toEqual(pixels);
  });

  it('gunzips a gzip IDX file first', () => {
    const parsed = parseIdx(gzipSync(buildIdx(0x08, [12], pixels)));
    expect(parsed.shape).toEqual([12]);
    expect([...parsed.data]).toEqual(pixels);
  });

  it('reads big-endian int32 and float32 values', () => {
    expect([...parseIdx(buildIdx(0x0c, [3], [1, -2, 70000], 4)).data]).toEqual([1, -2, 70000]);
    expect([...parseIdx(buildIdx(0x0d, [2], [0.5, -1.25], 4)).data]).toEqual([0.5, -1.25]);
  });

  it('rejects a wrong magic number and names the file', () => {
    const bytes = buildIdx(0x08, [2], [1, 2]);
    bytes[0] = 0x50;
    expect(() => parseIdx(bytes, { fileName: 'a.idx' })).toThrow(
      'a.idx: wrong magic number: IDX files start with 00 00, found 50 00',
    );
    expect(() => parseIdx(bytes, { fileName: 'a.idx' })).toThrow(DatasetFormatError);
  });

  it('rejects an unknown dtype code', () => {
    expect(() => parseIdx(buildIdx(0x07, [1], [0]), { fileName: 'b.idx' })).toThrow(
      'b.idx: unknown IDX dtype code 0x07',
    );
  });

  it('rejects a truncated file and trailing bytes', () => {
    const full = buildIdx(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(() => parseIdx(full.subarray(0, full.length - 1), { fileName: 'c.idx' })).toThrow(
      'c.idx: truncated: shape [2, 3] of uint8 needs 18 bytes, file has 17',
    );
    expect(() => parseIdx(full.subarray(0, 6), { fileName: 'c.idx' })).toThrow(
      'c.idx: truncated header',
    );
    expect(() => parseIdx(new Uint8Array([...full, 9]), { fileName: 'c.idx' })).toThrow(
      'c.idx: 1 unexpected trailing bytes',
    );
  });

  it('rejects corrupt gzip data', () => {
    const gz = gzipSync(buildIdx(0x08, [12], pixels));
    expect(() => parseIdx(gz.subarray(0, 20), { fileName: 'd.gz' })).toThrow(
      'd.gz: corrupt gzip data',
    );
  });
});
