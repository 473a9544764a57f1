import * as tf from '@tensorflow/tfjs-core';
import type { HeapBackend, KernelArgs } from './call-wasm-kernel';
import { callStockKernel } from './stock-kernels';

/**
 * Wasm `Slice` of a contiguous range (a range of a flat vector, leading rows of a matrix...)
 * copied straight from the input's place on the wasm heap. Stock wasm first copies the whole
 * input out of the heap (`readSync`) for every slice: cutting n pieces out of a vector of N
 * elements allocated n·N elements of garbage (the optimisers' flat update slices each of ~50
 * parameters out of one 175k-element vector: ~30 MB per step, 100+ ms of allocation and GC).
 * Other slices use the stock kernel.
 */
export const sliceConfig: tf.KernelConfig = {
  kernelName: tf.Slice,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { begin, size } = args.attrs as { begin: number | number[]; size?: number | number[] };
    const [start, extent] = tf.slice_util.parseSliceParams(x, begin, size);
    if (x.dtype === 'string' || !tf.slice_util.isSliceContinous(x.shape, start, extent)) {
      return callStockKernel(tf.Slice, args);
    }
    const backend = args.backend as HeapBackend;
    const out = backend.makeOutput(extent, x.dtype);
    const count = tf.util.sizeFromShape(extent);
    if (count === 0) return out;
    const offset = tf.slice_util.computeFlatOffset(start, tf.util.computeStrides(x.shape));
    // Views after makeOutput: allocating may grow the heap, which detaches earlier views.
    const input = backend.typedArrayFromHeap(x);
    backend.typedArrayFromHeap(out).set(input.subarray(offset, offset + count));
    return out;
  }) as unknown as tf.KernelFunc,
};
