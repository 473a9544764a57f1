import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureModel } from './feature-model';
import { withMacCounting } from './mac-counter';
import { checkInputShape } from './validate-options';

/**
 * Counts the multiply-accumulates (MACs) of one forward pass of one example. Counted: every
 * convolution, Hout·Wout·Cout·k·k·Cin, and every dense layer, in·out. Not counted: batch norm,
 * ReLU, additions of residuals and biases, pooling (all linear in the activation size, a small
 * fraction of the total). FLOPs are about 2 × MACs.
 *
 * It runs one inference-mode forward pass on a zero batch of size 1 and sums what the layers of
 * this package report, so it only counts models built by this package's factories.
 *
 * @param inputShape - `[H, W, C]`; defaults to the model's input shape.
 * @throws {@link InvalidArgumentError} when `inputShape` is not three positive integers, or the
 * model counts nothing (not built by this package).
 * @example
 * ```ts
 * countMacs(resNetCifar({ depth: 20 })); // ≈ 40.8 M
 * ```
 */
export function countMacs(model: FeatureModel, inputShape?: [number, number, number]): number {
  const shape = checkInputShape('countMacs', inputShape ?? model.inputShape);
  const macs = withMacCounting(() => {
    tf.tidy(() => {
      model.apply(tf.zeros([1, ...shape]) as tf.Tensor4D, { training: false });
    });
  });
  if (macs === 0) {
    throw new InvalidArgumentError({
      functionName: 'countMacs',
      argument: 'model',
      expected: 'a model built by @geokd/models (its layers report their MACs)',
      received: `'${model.name}', which reported none`,
    });
  }
  return macs;
}
