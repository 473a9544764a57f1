import * as tf from '@tensorflow/tfjs-core';
import { assertAdjacency, assertFinite, assertFiniteValues, assertInteger } from './validation';
import { shouldCheckValues } from './value-checks';

/**
 * The k-nearest-neighbour mask of a graph: a 0/1 float32 `[B, B]` tensor selecting, in each row
 * `i`, the `k` largest entries `A_ij`, then symmetrised by union, `M ← min(1, M + Mᵀ)` (an edge
 * is kept when either endpoint counts the other among its k nearest).
 *
 * - **Ties** are broken deterministically and identically on every backend: among equal values
 *   the lower column index wins (the selection is computed in JavaScript with a stable
 *   comparison, not by the backend's `topk`).
 * - **Diagonal**: `A_ii` competes like any other entry. A graph from {@link similarityGraph}
 *   without self-loops has a zero diagonal, so a node selects itself only when fewer than `k`
 *   of its similarities are positive; since that graph's diagonal is 0, selecting it changes
 *   nothing once the mask is multiplied in.
 * - **k ≥ B** is clamped to B: every entry is selected and the mask is all ones, built without
 *   reading the graph (GKD's dense setting, k = batch, then costs no GPU→CPU read; with value
 *   checks on, see {@link setValueChecks}, the graph is still checked for NaN and Inf).
 * - No gradient: the mask is a selection; it is a constant to `tf.grad`.
 *
 * For k < B it reads the adjacency's values (one `dataSync`), so it synchronises with the
 * backend (and cannot run on WebGPU in Node, where synchronous reads throw).
 *
 * @param adjacency - `[B, B]` float32 finite graph.
 * @param k - neighbours per row, an integer >= 1.
 * @returns the `[B, B]` float32 mask of 0s and 1s, symmetric.
 * @throws {InvalidArgumentError} when `adjacency` is not a finite square float32 rank-2 tensor,
 *   or `k` is not an integer >= 1.
 * @see Lassance et al., "Deep Geometric Knowledge Distillation with Graphs", ICASSP 2020.
 *
 * @example
 * ```ts
 * const teacherGraph = similarityGraph(teacherFeatures);
 * const mask = knnMask(teacherGraph, 16);
 * const sparse = similarityGraph(studentFeatures, { mask });
 * ```
 */
export function knnMask(adjacency: tf.Tensor2D, k: number): tf.Tensor2D {
  // The values are read below anyway: check them there, for free, instead of a second read.
  const batch = assertAdjacency('knnMask', 'adjacency', adjacency, { checkFinite: false });
  assertInteger('knnMask', 'k', k, 1);
  const neighbours = Math.min(k, batch);
  if (neighbours === batch) {
    if (shouldCheckValues()) assertFinite('knnMask', 'adjacency', adjacency);
    return tf.ones([batch, batch], 'float32');
  }
  const values = adjacency.dataSync();
  assertFiniteValues('knnMask', 'adjacency', values);
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
