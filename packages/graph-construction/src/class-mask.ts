import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { assertLabels } from './validation';
import { shouldCheckValues, type ValueCheckOptions } from './value-checks';

/** Which pairs a {@link classMask} keeps: same-class (`'intra'`) or different-class (`'inter'`). */
export type ClassMaskMode = 'intra' | 'inter';

/** The valid {@link ClassMaskMode} names. */
export const CLASS_MASK_MODES: readonly ClassMaskMode[] = ['intra', 'inter'];

/**
 * A 0/1 float32 `[B, B]` mask of the pairs of samples with the same class (`'intra'`:
 * `M_ij = [y_i = y_j]`) or with different classes (`'inter'`: `M_ij = [y_i ≠ y_j]`).
 *
 * Diagonal: `'intra'` has ones on the diagonal (a sample shares its own class) and `'inter'`
 * zeros. Multiplied into a {@link similarityGraph} without self-loops the diagonal is 0 either
 * way. Symmetric; no gradient (labels are not differentiable).
 *
 * @param labels - `[B]` class indices, int32 or float32 holding non-negative integers.
 * @param mode - `'intra'` or `'inter'`.
 * @returns the `[B, B]` float32 mask.
 * @throws {InvalidArgumentError} when `labels` is not a rank-1 int32/float32 tensor of
 *   non-negative integers, or `mode` is not `'intra'` / `'inter'`.
 * @see Lassance et al., "Deep Geometric Knowledge Distillation with Graphs", ICASSP 2020
 *   (intra-/inter-class graphs).
 *
 * @example
 * ```ts
 * const mask = classMask(tf.tensor1d([0, 1, 0], 'int32'), 'intra');
 * // [[1,0,1],[0,1,0],[1,0,1]]
 * ```
 */
export function classMask(
  labels: tf.Tensor1D,
  mode: ClassMaskMode,
  options: ValueCheckOptions = {},
): tf.Tensor2D {
  assertLabels(
    'classMask',
    'labels',
    labels,
    undefined,
    undefined,
    shouldCheckValues(options.checkFinite),
  );
  if (!CLASS_MASK_MODES.includes(mode)) {
    throw new InvalidArgumentError({
      functionName: 'classMask',
      argument: 'mode',
      expected: "'intra' or 'inter'",
      received: typeof mode === 'string' ? `'${mode}'` : String(mode),
    });
  }
  return tf.tidy(() => {
    const y = tf.cast(labels, 'int32');
    const same = tf.equal(tf.reshape(y, [-1, 1]), tf.reshape(y, [1, -1]));
    return tf.cast(mode === 'intra' ? same : tf.logicalNot(same), 'float32') as tf.Tensor2D;
  });
}
