export { BackendUnavailableError } from './backend-unavailable-error';
export {
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
  initBackend,
} from './init-backend';
export { conv2dBackpropFilterConfig } from './kernels/conv2d-backprop-filter';
export { conv2dBackpropInputConfig } from './kernels/conv2d-backprop-input';
export { sliceConfig } from './kernels/heap-slice';
export { meanConfig, sumConfig } from './kernels/leading-axes-reduction';
export { unsortedSegmentSumConfig } from './kernels/unsorted-segment-sum';
export { wasmTrainingKernelConfigs } from './kernels/wasm-training-kernels';
export { castConfig, identityConfig } from './kernels/zero-copy-identity';
export {
  countDispatchingKernels,
  type DispatchingKernelCount,
} from './count-dispatching-kernels';
export { registerWasmTrainingKernels } from './register-wasm-training-kernels';
export { canUseWasmThreads, createThreadedWasmBackend, MAX_WASM_THREADS } from './threaded-wasm';
export {
  type FilterGradientPlan,
  planFilterGradient,
  webGpuConv2dBackpropFilterConfig,
} from './kernels/webgpu-conv2d-backprop-filter';
export { webGpuTrainingKernelConfigs } from './kernels/webgpu-training-kernels';
export {
  registerWebGpuTrainingKernels,
  unregisterWebGpuTrainingKernels,
} from './register-webgpu-training-kernels';
export type { WebGpuAdapterInfo } from './webgpu-adapter';
