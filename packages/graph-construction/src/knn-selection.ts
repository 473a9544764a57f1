import * as tf from '@tensorflow/tfjs-core';
import { assertFiniteValues } from './validation';

/**
 * The two ways of computing {@link knnMask}'s selection for `1 <= k < B`. Internal: not exported
 * from the package; the tests call both to check that they agree on every backend.
 */

/**
 * Backends whose tensors live in CPU memory, where a synchronous read is allowed and cheap, so
 * the selection is done in JavaScript (`cpu`, `wasm`, and tfjs-node's `tensorflow`). Every other
 * backend (`webgpu`, `webgl`, ...) computes it on the device, without a read.
 */
export const HOST_SELECTION_BACKENDS: ReadonlySet<string> = new Set(['cpu', 'wasm', 'tensorflow']);

/**
 * Most elements of one `[rows, B, B]` comparison block of {@link knnMaskOnDevice} (~16M): rows are
 * processed in chunks so that no intermediate exceeds it (one chunk up to B = 256).
 */
export const MAX_COMPARISON_ELEMENTS = 1 << 24;

/**
 * The selection in JavaScript: reads the adjacency (one `dataSync`), rejects NaN/Inf values (the
 * read is there anyway), sorts each row with a stable order (lower column index first among equal
 * values), keeps the first `neighbours`, and symmetrises by union.
 *
 * @param functionName - the public function, for the error message.
 * @param adjacency - `[B, B]` float32 graph (shape and dtype already checked).
 * @param neighbours - entries kept per row, `1 <= neighbours < B`.
 * @returns the `[B, B]` float32 0/1 mask.
 * @throws {InvalidArgumentError} when the adjacency holds NaN or Inf.
 */
export function knnMaskOnHost(
  functionName: string,
  adjacency: tf.Tensor2D,
  neighbours: number,
): tf.Tensor2D {
  const batch = adjacency.shape[0];
  const values = adjacency.dataSync();
  assertFiniteValues(functionName, 'adjacency', values);
  const mask = new Float32Array(batch * batch);
  const order = new Array<number>(batch);
  for (let i = 0; i < batch; i++) {
    const row = i * batch;
    for (let j = 0; j < batch; j++) order[j] = j;
    order.sort((a, b) => values[row + b]! - values[row + a]! || a - b);
    for (let r = 0; r < neighbours; r++) {
      const j = order[r]!;
      mask[row + j] = 1;
      mask[j * batch + i] = 1;
    }
  }
  return tf.tensor2d(mask, [batch, batch], 'float32');
}

/**
 * The same selection with tensor ops only (no read): the stable rank of each entry in its row,
 * `rank[i, j] = #{l : A[i,l] > A[i,j]} + #{l < j : A[i,l] = A[i,j]}` (exact comparisons, so the
 * ties fall exactly as in {@link knnMaskOnHost}), `selected = rank < neighbours`, and the union
 * `max(M, Mᵀ)`. It costs B³ comparisons, done in chunks of rows of at most
 * {@link MAX_COMPARISON_ELEMENTS} elements: one chunk (12 dispatched kernels) up to B = 256,
 * then `⌈B / ⌊2²⁴ / B²⌋⌉` chunks (one row each from B = 4096). Values are not checked
 * (non-finite input gives an unspecified mask).
 *
 * @param adjacency - `[B, B]` float32 graph (shape and dtype already checked).
 * @param neighbours - entries kept per row, `1 <= neighbours < B`.
 * @param maxChunkElements - most elements of one comparison block (tests make it small to
 *   exercise the chunking).
 * @returns the `[B, B]` float32 0/1 mask.
 */
export function knnMaskOnDevice(
  adjacency: tf.Tensor2D,
  neighbours: number,
  maxChunkElements = MAX_COMPARISON_ELEMENTS,
): tf.Tensor2D {
  const batch = adjacency.shape[0];
  const rowsPerChunk = Math.max(1, Math.floor(maxChunkElements / (batch * batch)));
  return tf.tidy(() => {
    // earlier[j, l] = l < j: where a tie counts against entry j.
    const index = tf.range(0, batch, 1, 'int32');
    const earlier = tf.greater(tf.reshape(index, [batch, 1]), tf.reshape(index, [1, batch]));
    const chunks: tf.Tensor2D[] = [];
    for (let start = 0; start < batch; start += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, batch - start);
      // One tidy per chunk, so the [rows, B, B] intermediates are freed before the next one.
      chunks.push(
        tf.tidy(() => {
          const block = rows === batch ? adjacency : tf.slice(adjacency, [start, 0], [rows, batch]);
          const entry = tf.reshape(block, [rows, batch, 1]); // A[i, j]
          const other = tf.reshape(block, [rows, 1, batch]); // A[i, l]
          const ahead = tf.logicalOr(
            tf.greater(other, entry),
            tf.logicalAnd(tf.equal(other, entry), earlier),
          );
          return tf.less(tf.sum(ahead, 2), tf.scalar(neighbours, 'int32')) as tf.Tensor2D;
        }),
      );
    }
    const selected = tf.cast(chunks.length === 1 ? chunks[0]! : tf.concat(chunks, 0), 'float32');
    return tf.maximum(selected, tf.transpose(selected)) as tf.Tensor2D;
  });
}
