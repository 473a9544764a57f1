import { GeokdError } from '@geokd/errors';
import type * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs } from './call-wasm-kernel';

const stock = new Map<string, tf.KernelConfig>();
const setUpFor = new Map<string, tf.KernelBackend>();

/** Remembers a stock wasm kernel before a @geokd/backend kernel replaces it (first call wins). */
export function rememberStockKernel(config: tf.KernelConfig): void {
  if (!stock.has(config.kernelName)) stock.set(config.kernelName, config);
}

/**
 * Runs the stock wasm kernel that a @geokd/backend kernel replaced, for the cases the fast path
 * does not cover. The engine no longer runs its setup (it was unregistered), so this does.
 */
export function callStockKernel(kernelName: string, args: KernelArgs): tf.TensorInfo {
  const config = stock.get(kernelName);
  if (config === undefined) {
    throw new GeokdError(
      `${kernelName} (wasm): the stock kernel needed for this case was not found; call registerWasmTrainingKernels() after importing @tensorflow/tfjs-backend-wasm`,
      { code: 'kernel-not-registered' },
    );
  }
  if (setUpFor.get(kernelName) !== args.backend) {
    config.setupFunc?.(args.backend);
    setUpFor.set(kernelName, args.backend);
  }
  return config.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}
