import * as tf from '@tensorflow/tfjs-core';
import type { HeapBackend, KernelArgs } from './call-wasm-kernel';
import { callStockKernel } from './stock-kernels';

/**
 * Sums (or averages) a float32 tensor over a prefix of its axes, e.g. `[0, 1, 2]` of NHWC: the
 * batch-norm statistics and the gradients of per-channel broadcasts. Stock wasm transposes the
 * reduced axes to the end first (a full copy); this reads rows in place from the wasm heap and
 * accumulates per column in float64. Other reductions go to the stock kernel.
 */
function makeLeadingAxesReduction(kernelName: string, mean: boolean): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const isPrefix = axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !isPrefix || axes.length === 0 || axes.length === rank) {
      return callStockKernel(kernelName, args);
    }
    const backend = args.backend as HeapBackend;
    const rows = x.shape.slice(0, axes.length).reduce((p, d) => p * d, 1);
    const kept = x.shape.slice(axes.length);
    const cols = kept.reduce((p, d) => p * d, 1);
    const outShape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
    const out = backend.makeOutput(outShape, 'float32');
    // Views after makeOutput: allocating may grow (and move) the wasm heap.
    const input = backend.typedArrayFromHeap(x) as Float32Array;
    const output = backend.typedArrayFromHeap(out) as Float32Array;
    const acc = new Float64Array(cols);
    // Four rows per pass: a quarter of the accumulator traffic (about 2x faster in V8).
    const rows4 = rows - (rows % 4);
    for (let r = 0; r < rows4; r += 4) {
      const b0 = r * cols;
      const b1 = b0 + cols;
      const b2 = b1 + cols;
      const b3 = b2 + cols;
      for (let c = 0; c < cols; c++) {
        acc[c] =
          (acc[c] as number) +
          ((input[b0 + c] as number) + (input[b1 + c] as number)) +
          ((input[b2 + c] as number) + (input[b3 + c] as number));
      }
    }
    for (let r = rows4; r < rows; r++) {
      const base = r * cols;
      for (let c = 0; c < cols; c++) acc[c] = (acc[c] as number) + (input[base + c] as number);
    }
    const scale = mean ? 1 / rows : 1;
    for (let c = 0; c < cols; c++) output[c] = (acc[c] as number) * scale;
    return out;
  }) as unknown as tf.KernelFunc;
}

/** Kernel config of the wasm `Sum` that reduces leading axes in place; see {@link registerWasmTrainingKernels}. */
export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  kernelFunc: makeLeadingAxesReduction(tf.Sum, false),
};

/** Kernel config of the wasm `Mean` that reduces leading axes in place; see {@link registerWasmTrainingKernels}. */
export const meanConfig: tf.KernelConfig = {
  kernelName: tf.Mean,
  backendName: 'wasm',
  kernelFunc: makeLeadingAxesReduction(tf.Mean, true),
};
