import type * as tf from '@tensorflow/tfjs-core';
import { webGpuConv2dBackpropFilterConfig } from './webgpu-conv2d-backprop-filter';

/** Every kernel {@link registerWebGpuTrainingKernels} registers on the `webgpu` backend. */
export const webGpuTrainingKernelConfigs: readonly tf.KernelConfig[] = [
  webGpuConv2dBackpropFilterConfig,
];
