import { GeokdError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Training needs tfjs's gradient functions. In Node, `@tensorflow/tfjs-core` alone loads a
 * bundle that registers none (the `@tensorflow/tfjs` and `@tensorflow/tfjs-node` packages do,
 * on the shared engine), so check before the first step rather than fail deep in backprop.
 *
 * @throws GeokdError naming the fix when no gradient is registered.
 */
export function assertGradientsRegistered(functionName: string): void {
  for (const kernel of ['Sum', 'Mean', 'Relu', 'BatchMatMul']) {
    if (tf.getGradient(kernel) === undefined) {
      throw new GeokdError(
        `${functionName}: tfjs has no gradient registered for '${kernel}'. In Node, @tensorflow/tfjs-core alone registers no gradients: import '@tensorflow/tfjs' (or '@tensorflow/tfjs-node') once in your application before training`,
        { code: 'gradients-not-registered' },
      );
    }
  }
}
