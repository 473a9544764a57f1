import * as tf from '@tensorflow/tfjs-core';
import { rememberStockKernel } from './kernels/stock-kernels';
import { wasmTrainingKernelConfigs } from './kernels/wasm-training-kernels';

/**
 * Registers on the `wasm` backend the kernels that training needs: the missing
 * `Conv2DBackpropFilter` and `UnsortedSegmentSum` (the gradient of `gather`), and faster
 * `Conv2DBackpropInput`, leading-axes `Sum`/`Mean`, zero-copy `Identity`/`Cast` and a `Slice` that
 * copies a contiguous range straight from the heap. Replaces the stock kernels of the same
 * name without warnings. Idempotent; safe to call before or after `tf.setBackend('wasm')`.
 *
 * @returns the names of the kernels registered.
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * registerWasmTrainingKernels();
 * await tf.setBackend('wasm');
 * ```
 */
export function registerWasmTrainingKernels(): string[] {
  const names: string[] = [];
  for (const config of wasmTrainingKernelConfigs) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing !== config) {
      if (existing !== undefined) {
        rememberStockKernel(existing);
        tf.unregisterKernel(config.kernelName, 'wasm');
      }
      tf.registerKernel(config);
    }
    names.push(config.kernelName);
  }
  return names;
}
