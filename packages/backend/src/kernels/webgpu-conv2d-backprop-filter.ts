import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { callStockWebGpuKernel } from './webgpu-stock-kernels';

/** Side of the square output tile one workgroup computes, and the reduction step it loads. */
const TILE = 16;
/** Workgroups the first pass aims for: enough to fill a large GPU's compute units. */
const TARGET_WORKGROUPS = 1024;
/** At most this many partial sums per filter element (bounds the scratch buffer and pass 2). */
const MAX_CHUNKS = 256;
/** Each chunk reduces at least this many tiles of the reduction axis. */
const MIN_STEPS_PER_CHUNK = 8;

/** How the filter gradient's reduction over batch × output pixels is split. */
export interface FilterGradientPlan {
  /** Rows of the gradient seen as a matrix: filterHeight × filterWidth × inChannels. */
  rows: number;
  /** Columns: outChannels. */
  cols: number;
  /** Length of the reduction axis: batch × outHeight × outWidth. */
  reduceSize: number;
  /** Chunks of the reduction axis, each summed by its own workgroups (1: no second pass). */
  chunks: number;
  /** Tiles of 16 reduction steps (the side of the output tile) per chunk. */
  stepsPerChunk: number;
}

/**
 * Splits the reduction of a filter gradient: the stock kernel gives each filter element one
 * thread that walks all of batch × outHeight × outWidth (65,536 terms for a [64,32,32,16] input),
 * which leaves a big GPU idle. Here workgroups each reduce one chunk of that axis for a 16×16
 * tile of filter elements, and a second pass adds the chunks' partial sums.
 */
export function planFilterGradient(
  rows: number,
  cols: number,
  reduceSize: number,
): FilterGradientPlan {
  const tiles = Math.ceil(rows / TILE) * Math.ceil(cols / TILE);
  const steps = Math.max(1, Math.ceil(reduceSize / TILE));
  const wanted = Math.ceil(TARGET_WORKGROUPS / tiles);
  const cap = Math.min(MAX_CHUNKS, Math.ceil(steps / MIN_STEPS_PER_CHUNK));
  const chunkGuess = Math.max(1, Math.min(wanted, cap));
  const stepsPerChunk = Math.ceil(steps / chunkGuess);
  return { rows, cols, reduceSize, chunks: Math.ceil(steps / stepsPerChunk), stepsPerChunk };
}

const GEOMETRY_UNIFORMS =
  'rows : i32, cols : i32, reduceSize : i32, stepsPerChunk : i32, inHeight : i32, inWidth : i32, inChannels : i32, outHeight : i32, outWidth : i32, filterWidth : i32, strideHeight : i32, strideWidth : i32, padTop : i32, padLeft : i32,';

/**
 * Pass 1: partial[chunk, m, n] = Σ_{k in chunk} X[k, m] · dy[k, n], where X is the im2col view
 * of the input (m = (r·filterWidth + c)·inChannels + ci, k = (b·outHeight + y)·outWidth + x),
 * read straight from x, never materialised. 16×16 threads per workgroup; each step loads a
 * 16-deep slice of X and dy into workgroup memory (coalesced along channels) and accumulates one
 * output element per thread.
 */
class FilterGradientPartialsProgram implements WebGPUProgram {
  variableNames = ['x', 'dy'];
  uniforms = GEOMETRY_UNIFORMS;
  workgroupSize: [number, number, number] = [TILE, TILE, 1];
  outputShape: number[];
  dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  shaderKey = 'geokdConv2DBackpropFilterPartials';

  constructor(plan: FilterGradientPlan, outputShape: number[]) {
    this.outputShape = outputShape;
    this.dispatch = [Math.ceil(plan.cols / TILE), Math.ceil(plan.rows / TILE), plan.chunks];
  }

  getUserCode(): string {
    return `
      var<workgroup> xTile : array<array<f32, ${TILE}>, ${TILE}>;
      var<workgroup> dyTile : array<array<f32, ${TILE}>, ${TILE}>;

      fn im2col(k : i32, m : i32) -> f32 {
        if (k >= uniforms.reduceSize || m >= uniforms.rows) {
          return 0.0;
        }
        let ci = m % uniforms.inChannels;
        let tap = m / uniforms.inChannels;
        let c = tap % uniforms.filterWidth;
        let r = tap / uniforms.filterWidth;
        let ox = k % uniforms.outWidth;
        let rowOfBatch = k / uniforms.outWidth;
        let oy = rowOfBatch % uniforms.outHeight;
        let b = rowOfBatch / uniforms.outHeight;
        let iy = oy * uniforms.strideHeight - uniforms.padTop + r;
        let ix = ox * uniforms.strideWidth - uniforms.padLeft + c;
        if (iy < 0 || iy >= uniforms.inHeight || ix < 0 || ix >= uniforms.inWidth) {
          return 0.0;
        }
        return x[((b * uniforms.inHeight + iy) * uniforms.inWidth + ix) * uniforms.inChannels + ci];
      }

      fn outputGradient(k : i32, n : i32) -> f32 {
        if (k >= uniforms.reduceSize || n >= uniforms.cols) {
          return 0.0;
        }
        return dy[k * uniforms.cols + n];
      }

      fn main() {
        let lx = i32(localId.x);
        let ly = i32(localId.y);
        let n0 = i32(workgroupId.x) * ${TILE};
        let m0 = i32(workgroupId.y) * ${TILE};
        let chunk = i32(workgroupId.z);
        let kStart = chunk * uniforms.stepsPerChunk * ${TILE};
        var acc = 0.0;
        // The trip count is a uniform, so the barriers stay in uniform control flow.
        for (var step = 0; step < uniforms.stepsPerChunk; step = step + 1) {
          let k = kStart + step * ${TILE} + ly;
          xTile[ly][lx] = im2col(k, m0 + lx);
          dyTile[ly][lx] = outputGradient(k, n0 + lx);
          workgroupBarrier();
          for (var t = 0; t < ${TILE}; t = t + 1) {
            acc = acc + xTile[t][ly] * dyTile[t][lx];
          }
          workgroupBarrier();
        }
        let m = m0 + ly;
        let n = n0 + lx;
        if (m < uniforms.rows && n < uniforms.cols) {
          result[(chunk * uniforms.rows + m) * uniforms.cols + n] = acc;
        }
      }
    `;
  }
}

/** Pass 2: the filter gradient is the sum over chunks of the partial sums. */
class SumChunksProgram implements WebGPUProgram {
  variableNames = ['partials'];
  uniforms = 'chunks : i32,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  size = true;
  shaderKey = 'geokdConv2DBackpropFilterSumChunks';

  constructor(outputShape: number[]) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const size = outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(size / this.workgroupSize[0]), 1, 1];
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          var total = 0.0;
          for (var c = 0; c < uniforms.chunks; c = c + 1) {
            total = total + partials[c * uniforms.size + index];
          }
          result[index] = total;
        }
      }
    `;
  }
}

type FilterGradientArgs = {
  inputs: tf.Conv2DBackpropFilterInputs;
  backend: WebGPUBackend;
  attrs: tf.Conv2DBackpropFilterAttrs;
};

function conv2dBackpropFilter(args: FilterGradientArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat === 'NCHW' || x.dtype !== 'float32' || dy.dtype !== 'float32') {
    return callStockWebGpuKernel(tf.Conv2DBackpropFilter, args);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const rows = info.filterHeight * info.filterWidth * info.inChannels;
  const cols = info.outChannels;
  const plan = planFilterGradient(rows, cols, info.batchSize * info.outHeight * info.outWidth);
  const uniforms = [
    rows,
    cols,
    plan.reduceSize,
    plan.stepsPerChunk,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ].map((value) => ({ type: 'int32', data: [value] }));
  if (plan.chunks === 1) {
    const program = new FilterGradientPartialsProgram(plan, [...info.filterShape]);
    return backend.runWebGPUProgram(program, [x, dy], 'float32', uniforms);
  }
  const partialsProgram = new FilterGradientPartialsProgram(plan, [plan.chunks, rows, cols]);
  const partials = backend.runWebGPUProgram(partialsProgram, [x, dy], 'float32', uniforms);
  const sum = new SumChunksProgram([...info.filterShape]);
  const result = backend.runWebGPUProgram(sum, [partials], 'float32', [
    { type: 'int32', data: [plan.chunks] },
  ]);
  backend.disposeData(partials.dataId);
  return result;
}

/**
 * `Conv2DBackpropFilter` for the `webgpu` backend: a split reduction over batch × output pixels
 * (see {@link planFilterGradient}). float32 NHWC only (every stride and padding); other cases go
 * to the stock kernel.
 */
export const webGpuConv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'webgpu',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
