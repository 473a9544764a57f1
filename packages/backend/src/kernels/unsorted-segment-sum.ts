import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import type { HeapBackend, KernelArgs } from './call-wasm-kernel';

const KERNEL = 'UnsortedSegmentSum (wasm)';

function invalid(argument: string, expected: string, received: string): InvalidArgumentError {
  return new InvalidArgumentError({ functionName: KERNEL, argument, expected, received });
}

function showShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Checks the inputs before any work: `tf.unsortedSegmentSum` checks only the dtype of the ids. */
function validate(x: tf.TensorInfo, segmentIds: tf.TensorInfo, numSegments: number): void {
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw invalid('x', "of dtype 'float32' or 'int32'", `'${x.dtype}'`);
  }
  if (segmentIds.dtype !== 'int32') {
    throw invalid('segmentIds', "of dtype 'int32'", `'${segmentIds.dtype}'`);
  }
  if (segmentIds.shape.length === 0) {
    throw invalid('segmentIds', 'of rank >= 1', 'a scalar');
  }
  if (segmentIds.shape.length > x.shape.length) {
    throw invalid(
      'segmentIds',
      `of rank <= the rank of x (${x.shape.length})`,
      `rank ${segmentIds.shape.length} (shape ${showShape(segmentIds.shape)})`,
    );
  }
  if (segmentIds.shape.some((d, i) => d !== x.shape[i])) {
    throw invalid(
      'segmentIds',
      `a prefix of the shape of x ${showShape(x.shape)}`,
      `shape ${showShape(segmentIds.shape)}`,
    );
  }
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw invalid('numSegments', 'an integer >= 0', String(numSegments));
  }
}

/**
 * Groups the rows of `x` by segment with a counting sort, keeping row order within a segment.
 * Ids that are negative or `>= numSegments` are dropped (the cpu backend's masks match none).
 *
 * @returns `rows`, the row indices grouped by segment, and `starts`, where segment `s` owns
 * `rows[starts[s]]` to `rows[starts[s + 1] - 1]`.
 */
function groupRowsBySegment(
  ids: Int32Array,
  numSegments: number,
): { rows: Int32Array; starts: Int32Array } {
  const starts = new Int32Array(numSegments + 1);
  for (let r = 0; r < ids.length; r++) {
    const id = ids[r] as number;
    if (id >= 0 && id < numSegments) starts[id + 1] = (starts[id + 1] as number) + 1;
  }
  for (let s = 0; s < numSegments; s++) {
    starts[s + 1] = (starts[s + 1] as number) + (starts[s] as number);
  }
  const rows = new Int32Array(starts[numSegments] as number);
  const next = starts.slice(0, numSegments);
  for (let r = 0; r < ids.length; r++) {
    const id = ids[r] as number;
    if (id >= 0 && id < numSegments) {
      const at = next[id] as number;
      rows[at] = r;
      next[id] = at + 1;
    }
  }
  return { rows, starts };
}

/**
 * Wasm `UnsortedSegmentSum`, which stock tfjs-backend-wasm lacks: the gradient of `tf.gather`
 * (embeddings, any index lookup). `out[s, ...] = Σ x[r, ...]` over the positions `r` of
 * `segmentIds` (rank `k`, a prefix of the shape of `x`) that hold `s`; the output has shape
 * `[numSegments, ...x.shape.slice(k)]` and the dtype of `x`.
 *
 * Reads `x` and `segmentIds` in place on the wasm heap and writes each output row once: rows are
 * grouped by segment (counting sort), then summed in float64 in row order, so finite float32 sums
 * equal the cpu backend's bit for bit. Segments with no rows are zero; out-of-range ids are
 * dropped. int32 sums are exact up to 2^53 and wrap to 32 bits like TensorFlow's. Unlike the cpu
 * backend (which multiplies `x` by a 0/1 mask per segment), a NaN or ±Infinity in `x` reaches only
 * its own segment, and int32 `x` gives an int32 result (cpu returns float32).
 *
 * @throws {InvalidArgumentError} (a `GeokdError`) when `x` is not float32 or int32, `segmentIds`
 * is not int32, is a scalar, or its shape is not a prefix of the shape of `x`, or `numSegments` is
 * not an integer `>= 0`.
 */
function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const segmentIds = args.inputs.segmentIds as tf.TensorInfo;
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  validate(x, segmentIds, numSegments);
  const backend = args.backend as HeapBackend;
  const inner = x.shape.slice(segmentIds.shape.length);
  const cols = inner.reduce((p, d) => p * d, 1);
  const out = backend.makeOutput([numSegments, ...inner], x.dtype);
  if (numSegments * cols === 0) return out;
  // Views after makeOutput: allocating may grow (and move) the wasm heap.
  const input = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
  const output = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const { rows, starts } = groupRowsBySegment(ids, numSegments);
  const acc = new Float64Array(cols);
  for (let s = 0; s < numSegments; s++) {
    const first = starts[s] as number;
    const end = starts[s + 1] as number;
    const base = s * cols;
    // The wasm heap is not zeroed on allocation.
    if (first === end) {
      output.fill(0, base, base + cols);
      continue;
    }
    acc.fill(0);
    for (let i = first; i < end; i++) {
      const row = (rows[i] as number) * cols;
      for (let c = 0; c < cols; c++) acc[c] = (acc[c] as number) + (input[row + c] as number);
    }
    for (let c = 0; c < cols; c++) output[base + c] = acc[c] as number;
  }
  return out;
}

/**
 * Kernel config of the wasm `UnsortedSegmentSum` (the gradient of `tf.gather`); see
 * {@link registerWasmTrainingKernels}.
 */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};
