import { GeokdError } from '@geokd/errors';
import type * as tf from '@tensorflow/tfjs-core';

const stock = new Map<string, tf.KernelConfig>();

/** Remembers a stock webgpu kernel before a @geokd/backend kernel replaces it (first call wins). */
export function rememberStockWebGpuKernel(config: tf.KernelConfig): void {
  if (!stock.has(config.kernelName)) stock.set(config.kernelName, config);
}

/** The stock webgpu kernel that a @geokd/backend kernel replaced, if one was registered. */
export function stockWebGpuKernel(kernelName: string): tf.KernelConfig | undefined {
  return stock.get(kernelName);
}

/** Runs the stock webgpu kernel that a @geokd/backend kernel replaced, for cases it does not cover. */
export function callStockWebGpuKernel(kernelName: string, args: object): tf.TensorInfo {
  const config = stock.get(kernelName);
  if (config === undefined) {
    throw new GeokdError(
      `${kernelName} (webgpu): the stock kernel needed for this case was not found; call registerWebGpuTrainingKernels() after importing @tensorflow/tfjs-backend-webgpu`,
      { code: 'kernel-not-registered' },
    );
  }
  return config.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}
