import * as tf from '@tensorflow/tfjs-core';
import { rememberStockWebGpuKernel, stockWebGpuKernel } from './kernels/webgpu-stock-kernels';
import { webGpuTrainingKernelConfigs } from './kernels/webgpu-training-kernels';

/**
 * Registers on the `webgpu` backend the kernels that make training fast, replacing the stock
 * kernels of the same name without warnings: `Conv2DBackpropFilter` as a split reduction over
 * batch × output pixels (the stock kernel gives each filter element one thread that walks the
 * whole batch, 93 % of a WRN-16-1 step's GPU time on an H200). The stock kernels stay the
 * fallback for cases ours do not cover (NCHW, non-float32). Idempotent; safe to call before or
 * after `tf.setBackend('webgpu')`, but after `@tensorflow/tfjs-backend-webgpu` was imported.
 * {@link initBackend} calls it.
 *
 * @returns the names of the kernels registered.
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-webgpu';
 * registerWebGpuTrainingKernels();
 * await tf.setBackend('webgpu');
 * ```
 */
export function registerWebGpuTrainingKernels(): string[] {
  const names: string[] = [];
  for (const config of webGpuTrainingKernelConfigs) {
    const existing = tf.getKernel(config.kernelName, 'webgpu');
    if (existing !== config) {
      if (existing !== undefined) {
        rememberStockWebGpuKernel(existing);
        tf.unregisterKernel(config.kernelName, 'webgpu');
      }
      tf.registerKernel(config);
    }
    names.push(config.kernelName);
  }
  return names;
}

/**
 * Puts back the stock `webgpu` kernels that {@link registerWebGpuTrainingKernels} replaced (for
 * benchmarks that compare both in one process). Idempotent.
 *
 * @returns the names of the kernels restored.
 */
export function unregisterWebGpuTrainingKernels(): string[] {
  const names: string[] = [];
  for (const config of webGpuTrainingKernelConfigs) {
    if (tf.getKernel(config.kernelName, 'webgpu') !== config) continue;
    tf.unregisterKernel(config.kernelName, 'webgpu');
    const stock = stockWebGpuKernel(config.kernelName);
    if (stock !== undefined) tf.registerKernel(stock);
    names.push(config.kernelName);
  }
  return names;
}
