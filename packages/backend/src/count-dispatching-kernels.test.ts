import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { countDispatchingKernels } from './count-dispatching-kernels';

describe('countDispatchingKernels on cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('counts arithmetic kernels but not Identity, Reshape or a same-dtype Cast', async () => {
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const b = tf.tensor1d([5, 6]);
    const count = await countDispatchingKernels(() =>
      tf.tidy(() => {
        const sum = tf.add(a, b); // Add
        const product = tf.mul(tf.reshape(sum, [4]), 2); // Reshape (free), Multiply
        const same = tf.cast(product, 'float32'); // Cast float32 → float32 (free)
        const converted = tf.cast(same, 'int32'); // Cast float32 → int32
        return tf.clone(converted); // Identity (free)
      }),
    );
    expect(count.byKernel).toEqual({ Add: 1, Multiply: 1, Cast: 1 });
    expect(count.total).toBe(3);
    tf.dispose([a, b]);
  });

  it("counts the kernels inside a tf.customGrad but not the custom op's own scope", async () => {
    const square = tf.customGrad((x) => {
      const input = x as tf.Tensor;
      return { value: tf.mul(input, input), gradFunc: (dy) => tf.mul(dy, tf.mul(input, 2)) };
    });
    const x = tf.tensor1d([1, 2, 3]);
    const forward = await countDispatchingKernels(() => tf.tidy(() => square(x)));
    expect(forward).toEqual({ total: 1, byKernel: { Multiply: 1 } });
    // Forward Multiply and Sum; Sum's gradient multiplies dy by ones (Multiply); gradFunc has
    // two. tf.grad's seed and the ones are uploads, no kernel.
    const backward = await countDispatchingKernels(() =>
      tf.tidy(() => tf.grad((input: tf.Tensor) => tf.sum(square(input)))(x)),
    );
    expect(backward).toEqual({ total: 5, byKernel: { Multiply: 4, Sum: 1 } });
    tf.dispose(x);
  });

  it('restores the engine and leaks nothing', async () => {
    const runKernel = tf.engine().runKernel;
    const x = tf.tensor1d([1, 2]);
    const before = tf.memory().numTensors;
    await countDispatchingKernels(() => tf.tidy(() => tf.add(x, x)));
    expect(tf.engine().runKernel).toBe(runKernel);
    // What fn returns is disposed.
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
  });
});
