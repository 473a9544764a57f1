import type * as tf from '@tensorflow/tfjs-core';
import { assertAdjacency, assertFiniteValues } from './validation';

/** Summary statistics of a graph, as plain numbers (see {@link graphStats}). */
export interface GraphStats {
  /** Number of nodes B. */
  nodes: number;
  /** Weighted degrees `d_i = Σ_j A_ij` (row sums): minimum, mean and maximum. */
  degree: { min: number; mean: number; max: number };
  /** Fraction of the B² entries that are exactly 0 (1 for an empty graph). */
  sparsity: number;
  /** Off-diagonal entries: minimum, mean and maximum (0s when B = 1). */
  weight: { min: number; mean: number; max: number };
  /** Fraction of the B² entries that are negative (signed cosine/dot graphs). */
  negativeFraction: number;
  /** Nodes whose degree is `<= 1e-12` (isolated, or negative degree). */
  isolatedNodes: number;
  /** Number of non-zero diagonal entries (self-loops). */
  selfLoops: number;
  /** Largest `|A_ij − A_ji|`: 0 for a symmetric graph. */
  asymmetry: number;
}

/**
 * Degree, sparsity and weight statistics of a `[B, B]` graph, computed in float64 from one read
 * of its values (outside any tidy; allocates no tensors).
 *
 * A diagnostic, never called by a training step, so it stays synchronous: it reads with
 * `dataSync`, which throws for a tensor computed on the WebGPU backend in Node. There, read the
 * values asynchronously and call it on a cpu copy, e.g. `const values = await adjacency.data();`
 * then, after `tf.setBackend('cpu')`, `graphStats(tf.tensor2d(values, adjacency.shape))`.
 *
 * @param adjacency - `[B, B]` float32 finite graph.
 * @returns the {@link GraphStats}.
 * @throws {InvalidArgumentError} when `adjacency` is not a finite square float32 rank-2 tensor.
 *
 * @example
 * ```ts
 * const { degree, sparsity } = graphStats(similarityGraph(features, { mask: knnMask(g, 8) }));
 * ```
 */
export function graphStats(adjacency: tf.Tensor2D): GraphStats {
  // The values are read below anyway: check them there, for free, instead of a second read.
  const batch = assertAdjacency('graphStats', 'adjacency', adjacency, { checkFinite: false });
  const values = adjacency.dataSync();
  assertFiniteValues('graphStats', 'adjacency', values);
  let zeros = 0;
  let negatives = 0;
  let selfLoops = 0;
  let asymmetry = 0;
  let weightMin = Number.POSITIVE_INFINITY;
  let weightMax = Number.NEGATIVE_INFINITY;
  let weightSum = 0;
  let degreeMin = Number.POSITIVE_INFINITY;
  let degreeMax = Number.NEGATIVE_INFINITY;
  let degreeSum = 0;
  let isolated = 0;
  for (let i = 0; i < batch; i++) {
    let degree = 0;
    for (let j = 0; j < batch; j++) {
      const value = values[i * batch + j]!;
      degree += value;
      if (value === 0) zeros += 1;
      if (value < 0) negatives += 1;
      if (i === j) {
        if (value !== 0) selfLoops += 1;
      } else {
        weightMin = Math.min(weightMin, value);
        weightMax = Math.max(weightMax, value);
        weightSum += value;
        asymmetry = Math.max(asymmetry, Math.abs(value - values[j * batch + i]!));
      }
    }
    degreeMin = Math.min(degreeMin, degree);
    degreeMax = Math.max(degreeMax, degree);
    degreeSum += degree;
    if (degree <= 1e-12) isolated += 1;
  }
  const pairs = batch * (batch - 1);
  return {
    nodes: batch,
    degree: { min: degreeMin, mean: degreeSum / batch, max: degreeMax },
    sparsity: zeros / (batch * batch),
    weight:
      pairs === 0
        ? { min: 0, mean: 0, max: 0 }
        : { min: weightMin, mean: weightSum / pairs, max: weightMax },
    negativeFraction: negatives / (batch * batch),
    isolatedNodes: isolated,
    selfLoops,
    asymmetry,
  };
}
