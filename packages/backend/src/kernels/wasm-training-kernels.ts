import type * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input';
import { sliceConfig } from './heap-slice';
import { meanConfig, sumConfig } from './leading-axes-reduction';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';
import { castConfig, identityConfig } from './zero-copy-identity';

/**
 * Every kernel that {@link registerWasmTrainingKernels} registers on the wasm backend: the
 * missing `Conv2DBackpropFilter` and `UnsortedSegmentSum` (the gradient of `gather`), and fast
 * replacements of slow stock kernels.
 */
export const wasmTrainingKernelConfigs: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  sumConfig,
  meanConfig,
  identityConfig,
  castConfig,
  unsortedSegmentSumConfig,
  sliceConfig,
];
