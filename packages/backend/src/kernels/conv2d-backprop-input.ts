import * as tf from '@tensorflow/tfjs-core';
import {
  callWasmKernel,
  type KernelArgs,
  releaseTensorInfo,
  type TensorInfo,
  type WasmBackendLike,
} from './call-wasm-kernel';
import { phaseSplitBackpropInput } from './phase-split-backprop-input';
import { callStockKernel } from './stock-kernels';

/**
 * Input gradient of a 2-D convolution (NHWC) on wasm, built from XNNPACK convolutions.
 *
 * `dx[b, h, w, ci] = Σ dy[b, i, j, co] · W[kh, kw, ci, co]` over `h + top = i·s + kh`. At stride 1
 * this is one convolution of `dy`, padded by `filter - 1 - top` before, with the spatially flipped
 * filter whose channel axes are swapped. At larger strides each phase of `dx` (`h mod sh`,
 * `w mod sw`) is its own stride-1 convolution of `dy` with the taps that reach it, and the phases
 * are interleaved (see {@link phaseSplitBackpropInput}): no multiplications by the zeros of a
 * stride-dilated `dy`. NCHW, stride-1 paddings wider than the filter and empty tensors go to the
 * stock kernel, which computes the same sum with a slow scalar loop.
 */
function conv2dBackpropInput(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const inShape = attrs.inputShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    inShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const [batch, outH, outW, outC] = dy.shape as [number, number, number, number];
  if (attrs.dataFormat === 'NCHW') return callStockKernel(tf.Conv2DBackpropInput, args);
  if (info.strideHeight > 1 || info.strideWidth > 1) {
    if (batch * outH * outW * outC === 0) return callStockKernel(tf.Conv2DBackpropInput, args);
    return phaseSplitBackpropInput(dy, filter, info, backend);
  }

  // Stride 1: pad dy by `filter - 1 - pad` on each side; a wider forward padding would need a crop.
  const fh = info.filterHeight;
  const fw = info.filterWidth;
  const [, inH, inW] = inShape;
  const padTop = fh - 1 - info.padInfo.top;
  const padLeft = fw - 1 - info.padInfo.left;
  const padBottom = inH + fh - 1 - padTop - outH;
  const padRight = inW + fw - 1 - padLeft - outW;
  if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
    return callStockKernel(tf.Conv2DBackpropInput, args);
  }

  const flipped = callWasmKernel('Reverse', { x: filter }, { dims: [0, 1] }, backend);
  const flippedT = callWasmKernel('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }, backend);
  releaseTensorInfo(backend, flipped);
  const dx = callWasmKernel(
    'Conv2D',
    { x: dy, filter: flippedT },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [padTop, padBottom],
        [padLeft, padRight],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined,
    },
    backend,
  );
  releaseTensorInfo(backend, flippedT);
  return dx;
}

/** Kernel config of the fast wasm `Conv2DBackpropInput`; see {@link registerWasmTrainingKernels}. */
export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc,
};
