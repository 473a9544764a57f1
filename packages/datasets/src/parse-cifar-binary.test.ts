import { describe, expect, it } from 'vitest';
import { parseCifarBinary } from './parse-cifar-binary';
import { cifarRecord, concatBytes as concat } from './test-fixtures';

describe('parseCifarBinary', () => {
  it('converts planar R, G, B records to NHWC with the right channel order', () => {
    // Record r: red = p mod 256, green = 100 + r, blue = 200 + (p mod 7).
    const bytes = concat(
      [0, 1].map((r) =>
        cifarRecord([r === 0 ? 3 : 9], (p, c) =>
          c === 0 ? p % 256 : c === 1 ? 100 + r : 200 + (p % 7),
        ),
      ),
    );
    const parsed = parseCifarBinary(bytes, { variant: 'cifar10' });
    expect(parsed.count).toBe(2);
    expect([...parsed.labels]).toEqual([3, 9]);
    // pixel (row 1, col 2) = p 34 of record 1 at NHWC offset 3072 + (1*32+2)*3
    const base = 3072 + 34 * 3;
    expect([parsed.images[base], parsed.images[base + 1], parsed.images[base + 2]]).toEqual([
      34,
      101,
      200 + (34 % 7),
    ]);
    expect([parsed.images[0], parsed.images[1], parsed.images[2]]).toEqual([0, 100, 200]);
    expect(parsed.coarseLabels).toBeUndefined();
  });

  it('reads CIFAR-100 coarse then fine labels', () => {
    const bytes = concat([cifarRecord([4, 77], () => 1), cifarRecord([19, 99], () => 2)]);
    const parsed = parseCifarBinary(bytes, { variant: 'cifar100' });
    expect([...parsed.labels]).toEqual([77, 99]);
    expect([...(parsed.coarseLabels ?? [])]).toEqual([4, 19]);
  });

  it('rejects a length that is not a multiple of the record size, naming the file', () => {
    const bytes = cifarRecord([1], () => 0);
    expect(() =>
      parseCifarBinary(bytes.subarray(0, 3000), { variant: 'cifar10', fileName: 'x.bin' }),
    ).toThrow('x.bin: length 3000 is not a multiple of the cifar10 record size 3073');
    expect(() => parseCifarBinary(bytes, { variant: 'cifar100', fileName: 'x.bin' })).toThrow(
      'x.bin: length 3073 is not a multiple of the cifar100 record size 3074',
    );
  });

  it('rejects labels out of range', () => {
    expect(() =>
      parseCifarBinary(
        cifarRecord([10], () => 0),
        { variant: 'cifar10', fileName: 'y.bin' },
      ),
    ).toThrow('y.bin: record 0: label 10 out of range [0, 10)');
    expect(() =>
      parseCifarBinary(
        cifarRecord([20, 1], () => 0),
        { variant: 'cifar100', fileName: 'y.bin' },
      ),
    ).toThrow('y.bin: record 0: coarse label 20 out of range [0, 20)');
    expect(() =>
      parseCifarBinary(
        cifarRecord([1, 100], () => 0),
        { variant: 'cifar100', fileName: 'y.bin' },
      ),
    ).toThrow('y.bin: record 0: fine label 100 out of range [0, 100)');
  });

  it('rejects an unknown variant', () => {
    expect(() =>
      parseCifarBinary(new Uint8Array(3073), { variant: 'cifar5' as 'cifar10' }),
    ).toThrow("parseCifarBinary: options.variant must be 'cifar10' or 'cifar100', received cifar5");
  });
});
