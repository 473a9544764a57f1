import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { flattenUnchecked } from './flatten-features';
import { assertFloat32, assertRank, assertTensor, describeShape } from './validation';

/**
 * The gram matrix `X Xᵀ` of a `[B, D]` matrix, written with an explicit `tf.transpose` and
 * plain-layout `matMul`s in the forward and backward pass: `dX = (dG + dGᵀ) X`.
 *
 * Stock `tf.matMul(x, x, false, true)` and its gradient use `BatchMatMul` with transposed
 * operands, which is 10–40× slower on the wasm backend (see the package README's benchmark).
 * The caller keeps D >= 1: the wasm matmul reads uninitialised memory for an empty inner size.
 *
 * @internal
 */
export const gramProduct: (x: tf.Tensor2D) => tf.Tensor2D = tf.customGrad(
  // customGrad passes the inputs followed by the save function.
  (...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x2 = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    save([x2]);
    return {
      value: tf.matMul(x2, tf.transpose(x2)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const input = saved[0] as tf.Tensor2D;
        const dy2 = dy as tf.Tensor2D;
        return [tf.matMul(tf.add(dy2, tf.transpose(dy2)), input)];
      },
    };
  },
) as (x: tf.Tensor2D) => tf.Tensor2D;

/**
 * The gram matrix `G = X Xᵀ` (`G_ij = x_i · x_j`) of a batch of features `[B, ...]` flattened to
 * `[B, D]`, with a fast analytic gradient (`dX = (dG + dGᵀ) X`, plain-layout products only).
 *
 * Overflow-safe: the product is taken on `X / s` with `s = max|X|` and multiplied back by `s`
 * twice, so an entry is ±Inf only when its true value exceeds float32's range (never NaN for
 * finite input). Zero-width features `[B, 0]` give the zero matrix (the empty dot product is 0)
 * without running a product over an empty inner dimension. Runs inside `tf.tidy`.
 *
 * @param features - `[B, ...]` float32 features, B >= 1.
 * @returns the `[B, B]` gram matrix.
 * @throws {InvalidArgumentError} when `features` is not a float32 tensor of rank >= 2 with B >= 1.
 * @example
 * ```ts
 * const g = gramMatrix(tf.tensor2d([[1, 0], [1, 1]])); // [[1, 1], [1, 2]]
 * ```
 */
export function gramMatrix(features: tf.Tensor): tf.Tensor2D {
  assertBatchFeatures('gramMatrix', features);
  return tf.tidy(() => {
    const x = flattenUnchecked(features);
    const scale = maxAbsScale(x);
    return tf.mul(
      tf.mul(gramProduct(tf.div(x, scale) as tf.Tensor2D), scale),
      scale,
    ) as tf.Tensor2D;
  });
}

/** Throws unless `features` is a live float32 tensor `[B, ...]` of rank >= 2 with B >= 1. @internal */
export function assertBatchFeatures(functionName: string, features: unknown): tf.Tensor {
  const tensor = assertTensor(functionName, 'features', features);
  assertRank(functionName, 'features', tensor, { minRank: 2 });
  if (tensor.shape[0] === 0) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'features',
      expected: 'a non-empty batch (B >= 1)',
      received: `shape ${describeShape(tensor.shape)}`,
    });
  }
  assertFloat32(functionName, 'features', tensor);
  return tensor;
}

/**
 * `max |x|` over `axis` (all axes when omitted), dimensions kept, as a constant to `tf.grad`
 * (zero gradient); 1 where that maximum is 0 (an all-zero slice stays 0, with the gradient it
 * had unscaled). A non-finite input gives a non-finite scale (and result), never a hidden one. Dividing by it brings values into
 * [-1, 1], so squares and products neither overflow nor underflow anywhere in float32's range.
 * For a quantity invariant to that scale (a cosine, a normalised graph, distances divided by
 * their mean), or one multiplied back by it (`s² · G(x/s)`), treating the scale as a constant
 * gives the exact gradient. Call it inside `tf.tidy`.
 *
 * @param x - a float32 tensor.
 * @param axis - the axes to reduce (all when omitted); reduced dimensions are kept as 1.
 * @returns the scale, broadcastable against `x`.
 * @example
 * ```ts
 * const rows = tf.div(x, maxAbsScale(x, 1)); // each row's largest |value| becomes 1
 * ```
 */
export function maxAbsScale(x: tf.Tensor, axis?: number | number[]): tf.Tensor {
  // 1 (not a tiny floor) for an all-zero slice: the gradient at a zero row is divided by it.
  return constantOf(x, (v) => {
    const maximum = tf.max(tf.abs(v), axis, true);
    return tf.where(tf.greater(maximum, 0), maximum, tf.onesLike(maximum));
  });
}

/**
 * The identity on the forward pass with a zero gradient: values computed from it are treated
 * as constants by `tf.grad`. The forward function runs untaped (inside `customGrad`), so
 * operations without gradients (`topk`, `gather`) may be used in `compute`.
 *
 * @internal
 */
export function constantOf(input: tf.Tensor, compute: (input: tf.Tensor) => tf.Tensor): tf.Tensor {
  const wrapped = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor;
    return { value: compute(x), gradFunc: () => [tf.zeros(x.shape, x.dtype)] };
  });
  return wrapped(input);
}
