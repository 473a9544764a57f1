import { GeokdError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';

/** A tensor's handle inside a backend: what kernels receive and return. */
export type TensorInfo = tf.TensorInfo;

/** What the engine passes to a kernel function. */
export type KernelArgs = {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs: tf.NamedAttrMap;
};

/** The wasm backend methods that kernels reading the heap in place use. */
export interface HeapBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/** The subset of the wasm backend that the training kernels use. */
export interface WasmBackendLike extends tf.KernelBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/**
 * Runs another wasm kernel on backend-level tensor handles, without the engine. The caller owns
 * the returned handle and must release it with {@link releaseTensorInfo} unless it returns it.
 * Inputs are not consumed: their reference counts are left as they were.
 */
export function callWasmKernel(
  kernelName: string,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown>,
  backend: WasmBackendLike,
): TensorInfo {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config === undefined) {
    throw new GeokdError(
      `callWasmKernel: kernel '${kernelName}' is not registered for the wasm backend; import @tensorflow/tfjs-backend-wasm first`,
      { code: 'kernel-not-registered' },
    );
  }
  return config.kernelFunc({
    inputs: inputs as tf.NamedTensorInfoMap,
    attrs: attrs as tf.NamedAttrMap,
    backend,
  }) as TensorInfo;
}

/** Releases an intermediate handle created by {@link callWasmKernel}. */
export function releaseTensorInfo(backend: WasmBackendLike, info: TensorInfo): void {
  backend.disposeData(info.dataId);
}
