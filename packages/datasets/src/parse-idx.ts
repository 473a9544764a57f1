import { assertBytes, assertOptions } from './assert-bytes';
import { DatasetFormatError } from './dataset-format-error';
import { nodeBuiltin } from './node-modules';

/** Typed array of an IDX file's values, by its dtype code. */
export type IdxData =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** A parsed IDX file. */
export interface IdxFile {
  /** Dimensions from the header, e.g. `[60000, 28, 28]`. */
  shape: number[];
  /** Values in row-major order (big-endian on disk, converted to native numbers). */
  data: IdxData;
  /** Element type from the header. */
  dtype: 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
}

/** Options of {@link parseIdx}. */
export interface ParseIdxOptions {
  /** Name used in error messages. @default 'IDX data' */
  fileName?: string;
}

const DTYPES: Record<number, { dtype: IdxFile['dtype']; bytes: number }> = {
  8: { dtype: 'uint8', bytes: 1 },
  9: { dtype: 'int8', bytes: 1 },
  11: { dtype: 'int16', bytes: 2 },
  12: { dtype: 'int32', bytes: 4 },
  13: { dtype: 'float32', bytes: 4 },
  14: { dtype: 'float64', bytes: 8 },
};

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  assertBytes(bytes, 'isGzip');
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips `bytes` (Node's zlib), naming `fileName` when the stream is corrupt. @internal */
export function gunzipBytes(bytes: Uint8Array, fileName: string): Uint8Array {
  const zlib = nodeBuiltin<typeof import('node:zlib')>('node:zlib', 'gunzip');
  try {
    const out = zlib.gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (cause) {
    throw new DatasetFormatError(fileName, `corrupt gzip data (${(cause as Error).message})`, {
      cause,
    });
  }
}

/**
 * Parses an IDX file (the format of MNIST and Fashion-MNIST), gunzipping it first when it
 * starts with the gzip magic number. Header: two zero bytes, a dtype code (0x08 uint8, 0x09
 * int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, then
 * each dimension as a big-endian uint32.
 *
 * @throws {@link InvalidArgumentError} when `bytes` is not a Uint8Array or `options` not an object.
 * @throws {@link DatasetFormatError} on a wrong magic number, an unknown dtype, a truncated
 * file or trailing bytes; the message names the file.
 * @see http://yann.lecun.com/exdb/mnist/ (file format section)
 * @example
 * ```ts
 * const { shape, data } = parseIdx(bytes, { fileName: 'train-labels-idx1-ubyte.gz' });
 * ```
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): IdxFile {
  assertBytes(bytes, 'parseIdx');
  assertOptions(options, 'parseIdx');
  const fileName = options.fileName ?? 'IDX data';
  const raw = isGzip(bytes) ? gunzipBytes(bytes, fileName) : bytes;
  if (raw.length < 4) {
    throw new DatasetFormatError(
      fileName,
      `truncated: ${raw.length} bytes, an IDX header needs at least 4`,
    );
  }
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new DatasetFormatError(
      fileName,
      `wrong magic number: IDX files start with 00 00, found ${hex(raw[0])} ${hex(raw[1])}`,
    );
  }
  const code = raw[2] as number;
  const type = DTYPES[code];
  if (type === undefined) {
    throw new DatasetFormatError(
      fileName,
      `unknown IDX dtype code 0x${hex(code)} in the magic number`,
    );
  }
  const rank = raw[3] as number;
  if (rank === 0) {
    throw new DatasetFormatError(fileName, 'IDX header declares 0 dimensions');
  }
  const headerSize = 4 + 4 * rank;
  if (raw.length < headerSize) {
    throw new DatasetFormatError(
      fileName,
      `truncated header: ${rank} dimensions need ${headerSize} bytes, file has ${raw.length}`,
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const shape: number[] = [];
  let size = 1;
  for (let d = 0; d < rank; d++) {
    const dim = view.getUint32(4 + 4 * d, false);
    shape.push(dim);
    size *= dim;
  }
  const expected = headerSize + size * type.bytes;
  if (raw.length < expected) {
    throw new DatasetFormatError(
      fileName,
      `truncated: shape [${shape.join(', ')}] of ${type.dtype} needs ${expected} bytes, file has ${raw.length}`,
    );
  }
  if (raw.length > expected) {
    throw new DatasetFormatError(
      fileName,
      `${raw.length - expected} unexpected trailing bytes after shape [${shape.join(', ')}] of ${type.dtype}`,
    );
  }
  return { shape, data: readValues(view, headerSize, size, type.dtype, raw), dtype: type.dtype };
}

function readValues(
  view: DataView,
  offset: number,
  size: number,
  dtype: IdxFile['dtype'],
  raw: Uint8Array,
): IdxData {
  switch (dtype) {
    case 'uint8':
      return raw.slice(offset, offset + size);
    case 'int8':
      return new Int8Array(raw.slice(offset, offset + size).buffer);
    case 'int16': {
      const out = new Int16Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

function hex(value: number | undefined): string {
  return (value ?? 0).toString(16).padStart(2, '0');
}
