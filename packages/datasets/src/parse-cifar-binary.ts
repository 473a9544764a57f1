import { InvalidArgumentError } from '@geokd/errors';
import { assertBytes } from './assert-bytes';
import { DatasetFormatError } from './dataset-format-error';

/** Options of {@link parseCifarBinary}. */
export interface ParseCifarBinaryOptions {
  /** `'cifar10'`: 1 label byte per record; `'cifar100'`: coarse then fine label bytes. */
  variant: 'cifar10' | 'cifar100';
  /** Name used in error messages. @default 'CIFAR data' */
  fileName?: string;
}

/** Parsed CIFAR binary records. */
export interface CifarBinary {
  /** Pixels, `count*32*32*3` bytes, NHWC (R, G, B per pixel). */
  images: Uint8Array;
  /** Labels: CIFAR-10 classes, or CIFAR-100 fine classes. */
  labels: Int32Array;
  /** CIFAR-100 coarse (superclass) labels. */
  coarseLabels?: Int32Array;
  /** Number of records. */
  count: number;
}

const PLANE = 1024;
const IMAGE_BYTES = 3 * PLANE;

/**
 * Parses the binary version of CIFAR-10 / CIFAR-100 (`data_batch_1.bin`, `train.bin`, …).
 * Each record is 1 label byte (CIFAR-100: coarse label byte then fine label byte) followed by
 * 3,072 bytes: the 1,024 red, then green, then blue values of a 32×32 image, row-major. The
 * result is converted to NHWC (interleaved R, G, B), the layout tfjs uses.
 *
 * @throws {@link DatasetFormatError} when the length is not a multiple of the record size or
 * a label is out of range (10 classes; CIFAR-100: 20 coarse, 100 fine); the message names the file.
 * @throws {@link InvalidArgumentError} for an unknown variant or `bytes` that are not a Uint8Array.
 * @see https://www.cs.toronto.edu/~kriz/cifar.html
 */
export function parseCifarBinary(bytes: Uint8Array, options: ParseCifarBinaryOptions): CifarBinary {
  assertBytes(bytes, 'parseCifarBinary');
  const variant = options?.variant;
  if (variant !== 'cifar10' && variant !== 'cifar100') {
    throw new InvalidArgumentError({
      functionName: 'parseCifarBinary',
      argument: 'options.variant',
      expected: "'cifar10' or 'cifar100'",
      received: String(variant),
    });
  }
  const fileName = options.fileName ?? 'CIFAR data';
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  const recordSize = labelBytes + IMAGE_BYTES;
  if (bytes.length === 0) {
    throw new DatasetFormatError(fileName, `empty file, expected records of ${recordSize} bytes`);
  }
  if (bytes.length % recordSize !== 0) {
    throw new DatasetFormatError(
      fileName,
      `length ${bytes.length} is not a multiple of the ${variant} record size ${recordSize} (truncated or wrong variant)`,
    );
  }
  const count = bytes.length / recordSize;
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Int32Array(count);
  const coarseLabels = variant === 'cifar100' ? new Int32Array(count) : undefined;
  for (let r = 0; r < count; r++) {
    const base = r * recordSize;
    if (coarseLabels !== undefined) {
      const coarse = bytes[base] as number;
      const fine = bytes[base + 1] as number;
      if (coarse >= 20) {
        throw new DatasetFormatError(
          fileName,
          `record ${r}: coarse label ${coarse} out of range [0, 20)`,
        );
      }
      if (fine >= 100) {
        throw new DatasetFormatError(
          fileName,
          `record ${r}: fine label ${fine} out of range [0, 100)`,
        );
      }
      coarseLabels[r] = coarse;
      labels[r] = fine;
    } else {
      const label = bytes[base] as number;
      if (label >= 10) {
        throw new DatasetFormatError(fileName, `record ${r}: label ${label} out of range [0, 10)`);
      }
      labels[r] = label;
    }
    const pixels = base + labelBytes;
    const out = r * IMAGE_BYTES;
    for (let p = 0; p < PLANE; p++) {
      images[out + 3 * p] = bytes[pixels + p] as number;
      images[out + 3 * p + 1] = bytes[pixels + PLANE + p] as number;
      images[out + 3 * p + 2] = bytes[pixels + 2 * PLANE + p] as number;
    }
  }
  return coarseLabels === undefined
    ? { images, labels, count }
    : { images, labels, coarseLabels, count };
}
