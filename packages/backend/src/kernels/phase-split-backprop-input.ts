import type * as tf from '@tensorflow/tfjs-core';
import {
  callWasmKernel,
  releaseTensorInfo,
  type TensorInfo,
  type WasmBackendLike,
} from './call-wasm-kernel';
import { type PhaseAxisPlan, planPhaseAxis } from './phase-split-plan';

/** One output phase `(ph, pw)` of the input gradient and how it is computed. */
interface Phase {
  rows: PhaseAxisPlan;
  cols: PhaseAxisPlan;
}

/**
 * Input gradient of a strided 2-D convolution (NHWC) on wasm, by phase decomposition.
 *
 * Each phase of the input gradient (rows `h ≡ ph mod sh`, columns `w ≡ pw mod sw`) only receives
 * the filter taps congruent to it, so it is a stride-1 XNNPACK convolution of the output gradient
 * itself (not zero-dilated) with that sub-filter, flipped and with its channel axes swapped. Phases
 * that no tap reaches (3 of 4 for a 1×1 filter at stride 2) are zeros and not convolved. The phases
 * are interleaved with a concat and two transposes (one pad when a single phase is non-zero), then
 * cropped to the input size when it is not a multiple of the stride. Compared with one convolution
 * of the zero-dilated gradient, this skips the multiplications by the `sh·sw - 1` zeros out of
 * every `sh·sw` inputs (3/4 of the work at stride 2).
 *
 * @param dy - output gradient `[B, Ho, Wo, Co]`
 * @param filter - forward filter `[fh, fw, Ci, Co]`
 * @param info - the forward convolution (`channelsLast`, dilation 1)
 * @param backend - the wasm backend
 * @returns the input gradient `[B, H, W, Ci]`, owned by the caller
 */
export function phaseSplitBackpropInput(
  dy: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  backend: WasmBackendLike,
): TensorInfo {
  const [batch, outH, outW, outC] = dy.shape as [number, number, number, number];
  const { inHeight, inWidth, inChannels, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: fh, filterWidth: fw } = info;
  const rowSplit = planPhaseAxis(outH, inHeight, fh, sh, info.padInfo.top);
  const colSplit = planPhaseAxis(outW, inWidth, fw, sw, info.padInfo.left);
  const hq = rowSplit.phaseLength;
  const wq = colSplit.phaseLength;
  const phases: Phase[] = [];
  for (const rows of rowSplit.phases) {
    for (const cols of colSplit.phases) phases.push({ rows, cols });
  }
  const live = phases.filter((p) => p.rows.taps > 0 && p.cols.taps > 0);
  if (live.length === 0) {
    return callWasmKernel(
      'Fill',
      {},
      { shape: [batch, inHeight, inWidth, inChannels], value: 0, dtype: 'float32' },
      backend,
    );
  }

  // Filter taps as rows [fh·fw, Co·Ci] (channel axes swapped); each phase gathers its own.
  const swapped = callWasmKernel('Transpose', { x: filter }, { perm: [0, 1, 3, 2] }, backend);
  const taps = callWasmKernel(
    'Reshape',
    { x: swapped },
    { shape: [fh * fw, inChannels * outC] },
    backend,
  );
  releaseTensorInfo(backend, swapped);
  const results = new Map<Phase, TensorInfo>();
  for (const phase of live) {
    const kernel = phaseKernel(taps, phase, [fh, fw], [sh, sw], [outC, inChannels], backend);
    results.set(phase, convolvePhase(dy, kernel, phase, backend));
    releaseTensorInfo(backend, kernel);
  }
  releaseTensorInfo(backend, taps);

  const phaseSize = batch * hq * wq * inChannels;
  let interleaved: TensorInfo;
  if (live.length === 1) {
    // One non-zero phase: pad it into its slot of [B·Hq, sh, Wq, sw, Ci].
    const only = live[0]!;
    const result = results.get(only)!;
    const ph = rowSplit.phases.indexOf(only.rows);
    const pw = colSplit.phases.indexOf(only.cols);
    const expanded = callWasmKernel(
      'Reshape',
      { x: result },
      { shape: [batch * hq, 1, wq, 1, inChannels] },
      backend,
    );
    releaseTensorInfo(backend, result);
    interleaved = callWasmKernel(
      'PadV2',
      { x: expanded },
      {
        paddings: [
          [0, 0],
          [ph, sh - 1 - ph],
          [0, 0],
          [pw, sw - 1 - pw],
          [0, 0],
        ],
        constantValue: 0,
      },
      backend,
    );
    releaseTensorInfo(backend, expanded);
  } else {
    // Stack the phases as [sh, sw, B·Hq·Wq, Ci], then move sw next to Ci and sh next to Hq. Two
    // transposes of rank ≤ 4: wasm's rank-5 transpose is ~40× slower than these.
    const flat = phases.map((phase) => {
      const result = results.get(phase);
      if (result === undefined) {
        return callWasmKernel(
          'Fill',
          {},
          { shape: [1, phaseSize], value: 0, dtype: 'float32' },
          backend,
        );
      }
      const row = callWasmKernel('Reshape', { x: result }, { shape: [1, phaseSize] }, backend);
      releaseTensorInfo(backend, result);
      return row;
    });
    // Concat takes its inputs as an array rather than by name.
    interleaved = callWasmKernel(
      'Concat',
      flat as unknown as Record<string, TensorInfo>,
      { axis: 0 },
      backend,
    );
    for (const row of flat) releaseTensorInfo(backend, row);
    if (sw > 1) {
      interleaved = transposeView(
        interleaved,
        [sh, sw, batch * hq * wq, inChannels],
        [0, 2, 1, 3],
        backend,
      );
    }
    if (sh > 1) {
      interleaved = transposeView(
        interleaved,
        [sh, batch * hq, wq * sw * inChannels],
        [1, 0, 2],
        backend,
      );
    }
  }

  if (hq * sh === inHeight && wq * sw === inWidth) {
    const dx = callWasmKernel(
      'Reshape',
      { x: interleaved },
      { shape: [batch, inHeight, inWidth, inChannels] },
      backend,
    );
    releaseTensorInfo(backend, interleaved);
    return dx;
  }
  const dx = cropRows(
    interleaved,
    [batch, hq * sh, wq * sw, inChannels],
    [0, 0],
    [inHeight, inWidth],
    backend,
  );
  releaseTensorInfo(backend, interleaved);
  return dx;
}

/** Transposes `x` viewed as `shape`; releases `x` and returns the result (owned by the caller). */
function transposeView(
  x: TensorInfo,
  shape: number[],
  perm: number[],
  backend: WasmBackendLike,
): TensorInfo {
  const view = callWasmKernel('Reshape', { x }, { shape }, backend);
  releaseTensorInfo(backend, x);
  const out = callWasmKernel('Transpose', { x: view }, { perm }, backend);
  releaseTensorInfo(backend, view);
  return out;
}

/**
 * Crops `x` (viewed as NHWC `shape`) to `rows × cols` pixels from `(top, left)`; leaves `x` alone.
 * Sliced as `[B, H, W·C]` so that wasm's Slice copies whole row segments rather than one pixel at a
 * time.
 */
function cropRows(
  x: TensorInfo,
  [batch, height, width, channels]: [number, number, number, number],
  [top, left]: [number, number],
  [rows, cols]: [number, number],
  backend: WasmBackendLike,
): TensorInfo {
  const view = callWasmKernel(
    'Reshape',
    { x },
    { shape: [batch, height, width * channels] },
    backend,
  );
  const cropped = callWasmKernel(
    'Slice',
    { x: view },
    { begin: [0, top, left * channels], size: [batch, rows, cols * channels] },
    backend,
  );
  releaseTensorInfo(backend, view);
  const out = callWasmKernel(
    'Reshape',
    { x: cropped },
    { shape: [batch, rows, cols, channels] },
    backend,
  );
  releaseTensorInfo(backend, cropped);
  return out;
}

/**
 * The filter of one phase, `[taps_h, taps_w, Co, Ci]`: its taps in reverse order (the flip), each
 * copied from `taps` (`[fh·fw, Co·Ci]`) with a contiguous Slice. wasm's Reverse and StridedSlice
 * loop per element and cost milliseconds even on a 3×3×64×32 filter.
 */
function phaseKernel(
  taps: TensorInfo,
  { rows, cols }: Phase,
  [fh, fw]: [number, number],
  [sh, sw]: [number, number],
  [outC, inC]: [number, number],
  backend: WasmBackendLike,
): TensorInfo {
  if (fh * fw === 1) {
    return callWasmKernel('Reshape', { x: taps }, { shape: [1, 1, outC, inC] }, backend);
  }
  const size = outC * inC;
  const picked: TensorInfo[] = [];
  for (let th = 0; th < rows.taps; th++) {
    for (let tw = 0; tw < cols.taps; tw++) {
      // Flipped-filter index → forward tap: k = f - 1 - (start + t·s).
      const kh = fh - 1 - (rows.filterStart + th * sh);
      const kw = fw - 1 - (cols.filterStart + tw * sw);
      picked.push(
        callWasmKernel(
          'Slice',
          { x: taps },
          { begin: [kh * fw + kw, 0], size: [1, size] },
          backend,
        ),
      );
    }
  }
  const stacked =
    picked.length === 1
      ? picked[0]!
      : // Concat takes its inputs as an array rather than by name.
        callWasmKernel(
          'Concat',
          picked as unknown as Record<string, TensorInfo>,
          { axis: 0 },
          backend,
        );
  if (stacked !== picked[0]) for (const tap of picked) releaseTensorInfo(backend, tap);
  const kernel = callWasmKernel(
    'Reshape',
    { x: stacked },
    { shape: [rows.taps, cols.taps, outC, inC] },
    backend,
  );
  releaseTensorInfo(backend, stacked);
  return kernel;
}

/** One phase: a stride-1 convolution of the (cropped) output gradient with the phase's filter. */
function convolvePhase(
  dy: TensorInfo,
  kernel: TensorInfo,
  { rows, cols }: Phase,
  backend: WasmBackendLike,
): TensorInfo {
  const outC = kernel.shape[2]!;
  const [batch, outH, outW] = dy.shape as [number, number, number, number];
  const cropped =
    rows.cropBefore + rows.cropAfter + cols.cropBefore + cols.cropAfter === 0
      ? dy
      : cropRows(
          dy,
          [batch, outH, outW, outC],
          [rows.cropBefore, cols.cropBefore],
          [outH - rows.cropBefore - rows.cropAfter, outW - cols.cropBefore - cols.cropAfter],
          backend,
        );
  const result = callWasmKernel(
    'Conv2D',
    { x: cropped, filter: kernel },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [rows.padBefore, rows.padAfter],
        [cols.padBefore, cols.padAfter],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined,
    },
    backend,
  );
  if (cropped !== dy) releaseTensorInfo(backend, cropped);
  return result;
}
