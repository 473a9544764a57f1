import * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs } from './call-wasm-kernel';
import { callStockKernel } from './stock-kernels';

interface RefCountingBackend extends tf.KernelBackend {
  incRef(dataId: tf.DataId): void;
}

/** Shares the input's data (one more reference) instead of copying it: wasm kernels never write
 * into their inputs, so a copy is never needed. */
function shareData(x: tf.TensorInfo, backend: tf.KernelBackend): tf.TensorInfo {
  (backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Wasm `Identity` that shares data instead of copying it (stock wasm copies every element; the
 * ReLU gradient goes through it via a float32→float32 cast).
 */
export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return callStockKernel(tf.Identity, args);
    return shareData(x, args.backend);
  }) as unknown as tf.KernelFunc,
};

/** Wasm `Cast` that shares data when the dtype does not change; other casts use the stock kernel. */
export const castConfig: tf.KernelConfig = {
  kernelName: tf.Cast,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { dtype } = args.attrs as { dtype: tf.DataType };
    if (x.dtype !== dtype || dtype === 'string') return callStockKernel(tf.Cast, args);
    return shareData(x, args.backend);
  }) as unknown as tf.KernelFunc,
};
