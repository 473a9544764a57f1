import * as tf from '@tensorflow/tfjs-core';
import { HOST_SELECTION_BACKENDS, knnMaskOnDevice, knnMaskOnHost } from './knn-selection';
import { assertAdjacency, assertFinite, assertInteger } from './validation';
import { shouldCheckValues } from './value-checks';

/**
 * The k-nearest-neighbour mask of a graph: a 0/1 float32 `[B, B]` tensor selecting, in each row
 * `i`, the `k` largest entries `A_ij`, then symmetrised by union, `M ← min(1, M + Mᵀ)` (an edge
 * is kept when either endpoint counts the other among its k nearest).
 *
 * - **Ties** are broken deterministically and identically on every backend: among equal values
 *   the lower column index wins (a stable order, not the backend's `topk`).
 * - **Diagonal**: `A_ii` competes like any other entry. A graph from {@link similarityGraph}
 *   without self-loops has a zero diagonal, so a node selects itself only when fewer than `k`
 *   of its similarities are positive; since that graph's diagonal is 0, selecting it changes
 *   nothing once the mask is multiplied in.
 * - **k ≥ B** is clamped to B: every entry is selected and the mask is all ones, built without
 *   reading the graph (GKD's dense setting, k = batch).
 * - No gradient: the mask is a selection; it is a constant to `tf.grad`.
 *
 * **Where it runs (k < B).** On the backends whose tensors live in CPU memory — `cpu`, `wasm`
 * and tfjs-node's `tensorflow`, picked by `tf.getBackend()` — it reads the graph (one
 * `dataSync`, cheap there) and sorts each row in JavaScript; that read also rejects NaN/Inf, so
 * those backends always check the values. On every other backend (`webgpu`, `webgl`) it computes
 * the same mask on the device with no read: the stable rank of each entry in its row,
 * `#{l : A_il > A_ij} + #{l < j : A_il = A_ij}`, compared with k (exact comparisons, so the mask
 * is identical, ties included). That costs B³ comparisons, in chunks of rows of at most 2²⁴
 * elements: one chunk (12 dispatched kernels) up to B = 256, more (slower) beyond. There
 * NaN/Inf are rejected only with value checks on ({@link setValueChecks}), which cost a
 * synchronous read (which WebGPU in Node does not allow: keep value checks off there);
 * otherwise a non-finite graph gives an unspecified mask.
 *
 * With value checks on, the graph is checked for NaN and Inf on every path, k ≥ B included.
 *
 * @param adjacency - `[B, B]` float32 finite graph.
 * @param k - neighbours per row, an integer >= 1.
 * @returns the `[B, B]` float32 mask of 0s and 1s, symmetric.
 * @throws {InvalidArgumentError} when `adjacency` is not a square float32 rank-2 tensor, or holds
 *   NaN/Inf (always on `cpu`/`wasm`/`tensorflow` with k < B, elsewhere with value checks on), or
 *   `k` is not an integer >= 1.
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
  // The host path reads the values anyway and checks them there, for free; the others check
  // them (one more read) only when value checks are on.
  const batch = assertAdjacency('knnMask', 'adjacency', adjacency, { checkFinite: false });
  assertInteger('knnMask', 'k', k, 1);
  const neighbours = Math.min(k, batch);
  if (neighbours === batch) {
    if (shouldCheckValues()) assertFinite('knnMask', 'adjacency', adjacency);
    return tf.ones([batch, batch], 'float32');
  }
  if (HOST_SELECTION_BACKENDS.has(tf.getBackend())) {
    return knnMaskOnHost('knnMask', adjacency, neighbours);
  }
  if (shouldCheckValues()) assertFinite('knnMask', 'adjacency', adjacency);
  return knnMaskOnDevice(adjacency, neighbours);
}
