import { GeokdError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import {
  callWasmKernel,
  type KernelArgs,
  releaseTensorInfo,
  type TensorInfo,
  type WasmBackendLike,
} from './call-wasm-kernel';

/**
 * Filter gradient of a 2-D convolution (NHWC) on wasm, which stock tfjs-backend-wasm lacks.
 *
 * The gradient `dW[kh, kw, ci, co] = Σ_{b,i,j} xPadded[b, i·s + kh, j·s + kw, ci] · dy[b, i, j, co]`
 * is itself a convolution: of the input transposed to channels-as-batch `[Ci, H, W, B]` with the
 * output gradient transposed to a filter `[Ho, Wo, B, Co]`, at dilation equal to the forward stride
 * and with the forward padding; the result `[Ci, ≥fh, ≥fw, Co]` is sliced to the kernel size and
 * transposed back to `[fh, fw, Ci, Co]`. All work runs on wasm's XNNPACK convolution.
 *
 * Supports every stride and padding (`'same'`, `'valid'`, numbers, explicit) of the forward conv;
 * tfjs itself only differentiates convs with dilation 1, so the kernel has no dilation attribute.
 *
 * @throws {GeokdError} for the `NCHW` data format, which the wasm convolution does not support.
 */
function conv2dBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat === 'NCHW') {
    throw new GeokdError(
      "Conv2DBackpropFilter (wasm): dataFormat must be 'NHWC', received 'NCHW'",
      { code: 'unsupported-attribute' },
    );
  }
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { top, bottom, left, right } = info.padInfo;
  const [, inH, inW] = x.shape as [number, number, number, number];
  if (
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    top === 0 &&
    left === 0 &&
    inH === info.outHeight * info.strideHeight &&
    inW === info.outWidth * info.strideWidth
  ) {
    return pointwiseFilterGradient(x, dy, info, backend);
  }
  const xT = callWasmKernel('Transpose', { x }, { perm: [3, 1, 2, 0] }, backend);
  const dyT = callWasmKernel('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }, backend);
  const conv = callWasmKernel(
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
      dimRoundingMode: undefined,
    },
    backend,
  );
  releaseTensorInfo(backend, xT);
  releaseTensorInfo(backend, dyT);
  const [ci, convH, convW, co] = conv.shape as [number, number, number, number];
  let cropped = conv;
  if (convH !== info.filterHeight || convW !== info.filterWidth) {
    cropped = callWasmKernel(
      'Slice',
      { x: conv },
      { begin: [0, 0, 0, 0], size: [ci, info.filterHeight, info.filterWidth, co] },
      backend,
    );
    releaseTensorInfo(backend, conv);
  }
  const dw = callWasmKernel('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] }, backend);
  releaseTensorInfo(backend, cropped);
  return dw;
}

/**
 * The pixels `x[:, i·sh, j·sw, :]` a strided 1×1 kernel reads, when `H = Ho·sh` and `W = Wo·sw`,
 * as two 3-D slices (rows, then columns) of reshaped views: wasm's `StridedSlice` and its slices of
 * rank above 4 are an order of magnitude slower. Returns `x` itself at stride 1.
 */
function sampleStridedPixels(
  x: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  backend: WasmBackendLike,
): TensorInfo {
  const [batch, , inW, inC] = x.shape as [number, number, number, number];
  const { outHeight: outH, outWidth: outW, strideHeight: sh, strideWidth: sw } = info;
  let current = x;
  if (sh > 1) {
    const view = callWasmKernel(
      'Reshape',
      { x: current },
      { shape: [batch * outH, sh, inW * inC] },
      backend,
    );
    current = callWasmKernel(
      'Slice',
      { x: view },
      { begin: [0, 0, 0], size: [batch * outH, 1, inW * inC] },
      backend,
    );
    releaseTensorInfo(backend, view);
  }
  if (sw > 1) {
    const view = callWasmKernel(
      'Reshape',
      { x: current },
      { shape: [batch * outH * outW, sw, inC] },
      backend,
    );
    if (current !== x) releaseTensorInfo(backend, current);
    current = callWasmKernel(
      'Slice',
      { x: view },
      { begin: [0, 0, 0], size: [batch * outH * outW, 1, inC] },
      backend,
    );
    releaseTensorInfo(backend, view);
  }
  return current;
}

/**
 * Filter gradient of a 1×1 convolution without padding whose input is `Ho·sh × Wo·sw`, as one
 * matrix product:
 * `dW[0, 0] = xSampledᵀ · dy` over the `B·Ho·Wo` output positions, where `xSampled` keeps the input
 * pixels the strided 1×1 kernel reads. The convolution formulation would hand XNNPACK the whole
 * output gradient as a `Ho×Wo`-tap filter, whose per-call repacking costs more than the product.
 */
function pointwiseFilterGradient(
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  backend: WasmBackendLike,
): TensorInfo {
  const [batch, outH, outW, outC] = dy.shape as [number, number, number, number];
  const inC = x.shape[3] as number;
  const positions = batch * outH * outW;
  const sampled = sampleStridedPixels(x, info, backend);
  const rows = callWasmKernel('Reshape', { x: sampled }, { shape: [positions, inC] }, backend);
  if (sampled !== x) releaseTensorInfo(backend, sampled);
  // An explicit transpose: wasm's matmul with a transposed operand is many times slower.
  const columns = callWasmKernel('Transpose', { x: rows }, { perm: [1, 0] }, backend);
  releaseTensorInfo(backend, rows);
  const a = callWasmKernel('Reshape', { x: columns }, { shape: [1, inC, positions] }, backend);
  releaseTensorInfo(backend, columns);
  const b = callWasmKernel('Reshape', { x: dy }, { shape: [1, positions, outC] }, backend);
  const product = callWasmKernel(
    'BatchMatMul',
    { a, b },
    { transposeA: false, transposeB: false },
    backend,
  );
  releaseTensorInfo(backend, a);
  releaseTensorInfo(backend, b);
  const dw = callWasmKernel('Reshape', { x: product }, { shape: [1, 1, inC, outC] }, backend);
  releaseTensorInfo(backend, product);
  return dw;
}

/** Kernel config of the wasm `Conv2DBackpropFilter`; see {@link registerWasmTrainingKernels}. */
export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
