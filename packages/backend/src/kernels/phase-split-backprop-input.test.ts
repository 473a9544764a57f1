import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeError } from './max-relative-error';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  /** Input (and input gradient) shape, NHWC. */
  x: [number, number, number, number];
  /** Filter shape `[fh, fw, Ci, Co]`. */
  f: [number, number, number, number];
  stride: number | [number, number];
  pad: Pad;
}

const explicit = (
  top: number,
  bottom: number,
  left: number,
  right: number,
): [[number, number], [number, number], [number, number], [number, number]] => [
  [0, 0],
  [top, bottom],
  [left, right],
  [0, 0],
];

// Strides 2, (2, 3) and 3; every padding kind; filters 1×1 to 5×5; odd and even sizes; 1/3/16
// channels; batch 1 and 2.
const cases: Case[] = [
  { x: [1, 7, 9, 3], f: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { x: [1, 8, 8, 16], f: [3, 3, 16, 16], stride: 2, pad: 'same' },
  { x: [1, 7, 9, 1], f: [3, 3, 1, 3], stride: 2, pad: 'valid' },
  { x: [1, 7, 9, 3], f: [1, 1, 3, 16], stride: 2, pad: 'same' },
  { x: [1, 8, 8, 16], f: [1, 1, 16, 3], stride: 2, pad: 'valid' },
  { x: [1, 7, 9, 3], f: [1, 1, 3, 2], stride: 2, pad: 1 },
  { x: [1, 7, 9, 3], f: [2, 2, 3, 4], stride: 2, pad: 'same' },
  { x: [1, 8, 8, 1], f: [2, 2, 1, 16], stride: 2, pad: 'valid' },
  { x: [1, 7, 9, 3], f: [4, 4, 3, 2], stride: 2, pad: 'same' },
  { x: [1, 8, 8, 3], f: [4, 4, 3, 3], stride: 2, pad: 1 },
  { x: [1, 7, 9, 3], f: [5, 5, 3, 4], stride: 2, pad: 2 },
  { x: [1, 9, 7, 1], f: [5, 5, 1, 3], stride: 2, pad: 'valid' },
  { x: [1, 7, 9, 3], f: [3, 3, 3, 4], stride: [2, 3], pad: 'same' },
  { x: [1, 11, 10, 16], f: [3, 3, 16, 3], stride: [2, 3], pad: 'valid' },
  { x: [1, 7, 9, 3], f: [1, 1, 3, 4], stride: [2, 3], pad: 'valid' },
  { x: [1, 7, 9, 3], f: [4, 4, 3, 2], stride: [2, 3], pad: explicit(1, 2, 0, 3) },
  { x: [1, 7, 9, 3], f: [3, 3, 3, 4], stride: 3, pad: 'same' },
  { x: [1, 7, 9, 16], f: [5, 5, 16, 3], stride: 3, pad: 'valid' },
  { x: [1, 8, 8, 1], f: [2, 2, 1, 3], stride: 3, pad: 1 },
  { x: [1, 7, 9, 3], f: [1, 1, 3, 3], stride: 3, pad: 'same' },
  { x: [1, 7, 9, 3], f: [3, 3, 3, 4], stride: 2, pad: explicit(1, 0, 2, 1) },
  { x: [1, 7, 9, 3], f: [5, 5, 3, 2], stride: 2, pad: explicit(0, 4, 3, 1) },
  // Paddings at least as wide as the filter: some gradient rows reach no input.
  { x: [1, 6, 7, 3], f: [2, 2, 3, 2], stride: 2, pad: explicit(3, 2, 0, 3) },
  { x: [1, 5, 5, 2], f: [3, 3, 2, 2], stride: 3, pad: explicit(4, 4, 1, 5) },
  // Filter taller than the input, and a stride-1 axis next to a strided one.
  { x: [1, 2, 9, 3], f: [3, 3, 3, 2], stride: [3, 2], pad: 'same' },
  { x: [2, 7, 9, 3], f: [3, 3, 3, 4], stride: [1, 2], pad: 'same' },
  { x: [2, 7, 9, 3], f: [3, 3, 3, 4], stride: [2, 1], pad: 'valid' },
];

function inputGradient(backend: string, c: Case, dy: tf.TensorLike, f: tf.TensorLike) {
  tf.setBackend(backend);
  const dyT = tf.tensor(dy) as tf.Tensor4D;
  const fT = tf.tensor(f) as tf.Tensor4D;
  const dx = tf.conv2dTranspose(dyT, fT, c.x, c.stride, c.pad);
  const out = { shape: dx.shape, data: dx.dataSync().slice() };
  tf.dispose([dyT, fT, dx]);
  return out;
}

function randomInputs(c: Case, seed: number) {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.stride, 1, c.pad);
  const dy = tf.randomNormal(info.outShape, 0, 1, 'float32', seed);
  // conv2dTranspose takes the filter as [fh, fw, Ci, Co], the forward conv's layout.
  const f = tf.randomNormal(c.f, 0, 1, 'float32', seed + 1);
  const out = { dy: dy.arraySync() as number[][][][], f: f.arraySync() as number[][][][] };
  tf.dispose([dy, f]);
  return out;
}

describe('strided Conv2DBackpropInput on wasm (phase split)', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    await tf.ready();
  });

  it.each(cases.map((c, i) => [i, JSON.stringify(c), c] as const))(
    'matches the cpu backend to 1e-5 relative error (case %i: %s)',
    (i, _label, c) => {
      tf.setBackend('cpu');
      const { dy, f } = randomInputs(c, 100 + 7 * i);
      const cpu = inputGradient('cpu', c, dy, f);
      const wasm = inputGradient('wasm', c, dy, f);
      expect(wasm.shape).toEqual(c.x);
      expect(wasm.data.length).toBe(cpu.data.length);
      expect(maxRelativeError(wasm.data, cpu.data)).toBeLessThanOrEqual(1e-5);
    },
  );

  it('matches a hand-computed gradient when padding hides a gradient row', () => {
    tf.setBackend('wasm');
    // 1×1 filter, stride 3, 3 rows of top padding: dy row 0 reads padding, rows 1 and 2 read input
    // rows 0 and 3, and input rows 1 and 2 are skipped. dy row i holds i + 1; the filter sums the
    // 2 output channels.
    const dy = tf.tensor4d(
      Array.from({ length: 12 }, (_, k) => Math.floor(k / 4) + 1),
      [1, 3, 2, 2],
    );
    const f = tf.ones([1, 1, 3, 2]) as tf.Tensor4D;
    const dx = tf.conv2dTranspose(dy, f, [1, 4, 4, 3], 3, explicit(3, 0, 0, 0));
    const image = (dx.arraySync() as number[][][][])[0]!;
    expect(image.map((row) => row[0]![0])).toEqual([4, 0, 0, 6]);
    expect(image[3]!.map((pixel) => pixel[2])).toEqual([6, 0, 0, 6]);
    tf.dispose([dy, f, dx]);
  });

  it('leaks no tensors, bytes or backend buffers over 100 calls', () => {
    tf.setBackend('wasm');
    // Intermediates live only in the backend, so count its buffers as well as the engine's tensors.
    const backend = tf.backend();
    for (const c of [cases[0]!, cases[3]!, cases[13]!, cases[22]!]) {
      const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.stride, 1, c.pad);
      const dy = tf.randomNormal(info.outShape, 0, 1, 'float32', 5) as tf.Tensor4D;
      const f = tf.randomNormal(c.f, 0, 1, 'float32', 6) as tf.Tensor4D;
      tf.dispose(tf.conv2dTranspose(dy, f, c.x, c.stride, c.pad));
      const before = { ...tf.memory(), buffers: backend.numDataIds() };
      for (let i = 0; i < 100; i++) tf.dispose(tf.conv2dTranspose(dy, f, c.x, c.stride, c.pad));
      expect(tf.memory().numTensors).toBe(before.numTensors);
      expect(tf.memory().numBytes).toBe(before.numBytes);
      expect(backend.numDataIds()).toBe(before.buffers);
      tf.dispose([dy, f]);
    }
  });
});
