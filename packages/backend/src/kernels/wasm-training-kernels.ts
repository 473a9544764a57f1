import type * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input';

/**
 * Every kernel that {@link registerWasmTrainingKernels} registers on the wasm backend: the
 * missing `Conv2DBackpropFilter` and fast replacements of slow stock kernels.
 */
export const wasmTrainingKernelConfigs: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
];
