import * as tf from '@tensorflow/tfjs-core';

/**
 * The gram matrix `X Xᵀ` of a `[B, D]` matrix, written with an explicit `tf.transpose` and
 * plain-layout `matMul`s in the forward and backward pass: `dX = (dG + dGᵀ) X`.
 *
 * Stock `tf.matMul(x, x, false, true)` and its gradient use `BatchMatMul` with transposed
 * operands, which is 10–40× slower on the wasm backend (see the package README's benchmark).
 *
 * @internal
 */
export const gramMatrix: (x: tf.Tensor2D) => tf.Tensor2D = tf.customGrad(
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
