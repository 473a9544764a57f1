import * as tf from '@tensorflow/tfjs-core';
import {
  callWasmKernel,
  releaseTensorInfo,
  type TensorInfo,
  type WasmBackendLike,
} from './call-wasm-kernel';
import { callStockKernel } from './stock-kernels';

type KernelArgs = {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs: tf.NamedAttrMap;
};

/**
 * Input gradient of a 2-D convolution (NHWC) on wasm, as one stride-1 XNNPACK convolution.
 *
 * `dx[b, h, w, ci] = Σ dy[b, i, j, co] · W[kh, kw, ci, co]` over `h + top = i·s + kh`: the output
 * gradient is zero-dilated by the stride (a reshape, a pad and a reshape), padded by
 * `filter - 1 - top` before, and convolved with the spatially flipped filter whose channel axes are
 * swapped. Stock wasm computes the same sum with a slow scalar loop.
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
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const fh = info.filterHeight;
  const fw = info.filterWidth;
  const [, inH, inW] = inShape;
  const padTop = fh - 1 - info.padInfo.top;
  const padLeft = fw - 1 - info.padInfo.left;
  const usefulH = (outH - 1) * sh + 1;
  const usefulW = (outW - 1) * sw + 1;
  const padBottomNeeded = inH + fh - 1 - padTop - usefulH;
  const padRightNeeded = inW + fw - 1 - padLeft - usefulW;
  if (
    attrs.dataFormat === 'NCHW' ||
    padTop < 0 ||
    padLeft < 0 ||
    padBottomNeeded < 0 ||
    padRightNeeded < 0
  ) {
    return callStockKernel(tf.Conv2DBackpropInput, args);
  }

  // Zero-dilate dy by the stride: [B,Ho,1,Wo,1,C] padded to [B,Ho,sh,Wo,sw,C].
  let dilated = dy;
  let dilatedH = outH;
  let dilatedW = outW;
  if (sh > 1 || sw > 1) {
    const expanded = callWasmKernel(
      'Reshape',
      { x: dy },
      { shape: [batch, outH, 1, outW, 1, outC] },
      backend,
    );
    const padded = callWasmKernel(
      'PadV2',
      { x: expanded },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
      backend,
    );
    releaseTensorInfo(backend, expanded);
    dilatedH = outH * sh;
    dilatedW = outW * sw;
    dilated = callWasmKernel(
      'Reshape',
      { x: padded },
      { shape: [batch, dilatedH, dilatedW, outC] },
      backend,
    );
    releaseTensorInfo(backend, padded);
  }
  // The trailing sh-1 / sw-1 zero rows act as part of the bottom/right padding.
  let padBottom = inH + fh - 1 - padTop - dilatedH;
  let padRight = inW + fw - 1 - padLeft - dilatedW;
  if (padBottom < 0 || padRight < 0) {
    const keepH = dilatedH + Math.min(padBottom, 0);
    const keepW = dilatedW + Math.min(padRight, 0);
    const cropped = callWasmKernel(
      'Slice',
      { x: dilated },
      { begin: [0, 0, 0, 0], size: [batch, keepH, keepW, outC] },
      backend,
    );
    if (dilated !== dy) releaseTensorInfo(backend, dilated);
    dilated = cropped;
    padBottom = Math.max(padBottom, 0);
    padRight = Math.max(padRight, 0);
  }

  const flipped = callWasmKernel('Reverse', { x: filter }, { dims: [0, 1] }, backend);
  const flippedT = callWasmKernel('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }, backend);
  releaseTensorInfo(backend, flipped);
  const dx = callWasmKernel(
    'Conv2D',
    { x: dilated, filter: flippedT },
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
  if (dilated !== dy) releaseTensorInfo(backend, dilated);
  return dx;
}

/** Kernel config of the fast wasm `Conv2DBackpropInput`; see {@link registerWasmTrainingKernels}. */
export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc,
};
