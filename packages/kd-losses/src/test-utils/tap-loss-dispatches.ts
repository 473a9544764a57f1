import { countDispatchingKernels } from '@geokd/backend';
import * as tf from '@tensorflow/tfjs-core';

/** A per-tap pair loss, as the registry calls it. */
type PairLoss = (student: tf.Tensor, teacher: tf.Tensor) => tf.Scalar;

/**
 * Dispatching kernels (countDispatchingKernels of @geokd/backend) of the registry's mean of
 * `loss` over the bench's three taps — student `[8,16,16,8]`, `[8,8,8,16]`, `[8,32]`, teacher
 * twice the channels (the count does not depend on the batch) — forward, and forward + backward
 * (gradients w.r.t. the students). Run it on the cpu backend.
 */
export async function tapLossDispatches(
  loss: PairLoss,
): Promise<{ forward: number; forwardBackward: number }> {
  const batch = 8;
  const studentShapes = [
    [batch, 16, 16, 8],
    [batch, 8, 8, 16],
    [batch, 32],
  ];
  const students = studentShapes.map((shape, i) => tf.randomNormal(shape, 0, 1, 'float32', i));
  const teachers = studentShapes.map((shape, i) =>
    tf.relu(tf.randomNormal([...shape.slice(0, -1), 2 * shape.at(-1)!], 0, 1, 'float32', 10 + i)),
  );
  const mean = (xs: tf.Tensor[]) =>
    tf.div(tf.addN(xs.map((x, i) => loss(x, teachers[i]!))), xs.length) as tf.Scalar;
  try {
    const forward = await countDispatchingKernels(() => mean(students));
    const forwardBackward = await countDispatchingKernels(() => {
      const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => mean(xs))(students);
      return [value, ...grads];
    });
    return { forward: forward.total, forwardBackward: forwardBackward.total };
  } finally {
    tf.dispose([...students, ...teachers]);
  }
}
