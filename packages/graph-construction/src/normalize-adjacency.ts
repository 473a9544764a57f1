import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { constantOf, maxAbsScale } from './gram-matrix';
import { assertAdjacency } from './validation';
import type { ValueCheckOptions } from './value-checks';

/** How an adjacency is normalised by its degrees. */
export type AdjacencyNormalization = 'symmetric' | 'random-walk' | 'none';

/** The valid {@link AdjacencyNormalization} names. */
export const ADJACENCY_NORMALIZATIONS: readonly AdjacencyNormalization[] = [
  'symmetric',
  'random-walk',
  'none',
];

/**
 * Degrees at or below this are treated as zero: the node's row and column of a normalised
 * graph are 0 instead of `1/0` or the square root of a negative number.
 */
export const DEGREE_EPSILON = 1e-12;

/**
 * Safe `d^exponent` for degrees `d`: the power where `d > DEGREE_EPSILON`, 0 elsewhere, with a
 * finite gradient everywhere (the masked branch never sees a non-positive degree).
 */
function safeDegreePower(degree: tf.Tensor1D, exponent: -0.5 | -1): tf.Tensor1D {
  // The 0/1 mask is a constant to tf.grad (comparisons have no gradient in tfjs).
  const positive = constantOf(degree, (d) => tf.cast(tf.greater(d, DEGREE_EPSILON), 'float32'));
  const safe = tf.add(tf.mul(degree, positive), tf.sub(1, positive));
  const powered = exponent === -0.5 ? tf.rsqrt(safe) : tf.reciprocal(safe);
  return tf.mul(powered, positive) as tf.Tensor1D;
}

/**
 * Degree normalisation of an adjacency `A` (`[B, B]`), with degrees `d_i = Σ_j A_ij` taken from
 * `A` as is:
 * - `'symmetric'`: `D^{-1/2} A D^{-1/2}`, i.e. `A_ij / sqrt(d_i d_j)`;
 * - `'random-walk'`: `D^{-1} A`, i.e. `A_ij / d_i` (rows sum to 1);
 * - `'none'`: `A` unchanged.
 *
 * The graph is first divided by `max|A|` (both normalisations are invariant to A's scale), so
 * the degrees neither overflow nor underflow anywhere in float32's range. A node whose degree is
 * `<= 1e-12 · max|A|` (isolated, or with a negative degree because its
 * similarities are mostly negative) gets 0 in place of `d^{-1/2}` / `d^{-1}`: its row (and for
 * `'symmetric'` its column) is 0. Never NaN or Inf for finite input, gradients included.
 *
 * Runs inside `tf.tidy`; differentiable with respect to `adjacency`.
 *
 * @param adjacency - `[B, B]` float32 adjacency.
 * @param normalization - which normalisation.
 * @param options - `checkFinite`: scan `adjacency` for NaN/Inf (default: {@link setValueChecks}).
 * @returns the normalised `[B, B]` adjacency.
 * @throws {InvalidArgumentError} when `adjacency` is not a square float32 rank-2 tensor (or holds
 *   NaN/Inf, when value checks are on)
 *   or `normalization` is not one of the names above.
 */
export function normalizeAdjacency(
  adjacency: tf.Tensor2D,
  normalization: AdjacencyNormalization,
  options: ValueCheckOptions = {},
): tf.Tensor2D {
  assertAdjacency('normalizeAdjacency', 'adjacency', adjacency, options);
  assertNormalization('normalizeAdjacency', 'normalization', normalization);
  return tf.tidy(() => {
    if (normalization === 'none') return tf.clone(adjacency);
    // Both normalisations are invariant to the scale of A: normalise A / max|A| so that the
    // degrees neither overflow (entries near 1e38) nor fall under the threshold (tiny entries).
    return normalizeUnchecked(
      tf.div(adjacency, maxAbsScale(adjacency)) as tf.Tensor2D,
      normalization,
    );
  });
}

/** Throws unless `value` names a normalisation. */
export function assertNormalization(
  functionName: string,
  argument: string,
  value: unknown,
): asserts value is AdjacencyNormalization {
  if (!ADJACENCY_NORMALIZATIONS.includes(value as AdjacencyNormalization)) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: `one of ${ADJACENCY_NORMALIZATIONS.map((n) => `'${n}'`).join(', ')}`,
      received: typeof value === 'string' ? `'${value}'` : String(value),
    });
  }
}

/** {@link normalizeAdjacency} without validation, for use inside other tidies. @internal */
export function normalizeUnchecked(
  adjacency: tf.Tensor2D,
  normalization: AdjacencyNormalization,
): tf.Tensor2D {
  if (normalization === 'none') return adjacency;
  const degree = tf.sum(adjacency, 1) as tf.Tensor1D;
  if (normalization === 'symmetric') {
    const scale = safeDegreePower(degree, -0.5);
    return tf.mul(tf.mul(adjacency, tf.reshape(scale, [-1, 1])), tf.reshape(scale, [1, -1]));
  }
  const scale = safeDegreePower(degree, -1);
  return tf.mul(adjacency, tf.reshape(scale, [-1, 1]));
}
