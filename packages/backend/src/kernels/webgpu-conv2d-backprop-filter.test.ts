import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeError } from './max-relative-error';
import {
  planFilterGradient,
  webGpuConv2dBackpropFilterConfig,
} from './webgpu-conv2d-backprop-filter';
import { setUpWebGpuForTests, webGpuBuffersInUse } from './webgpu-test-setup';

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number | [number, number];
  pad: Pad;
}

const cases: Case[] = [
  { x: [2, 7, 9, 3], f: [3, 3, 3, 5], stride: 1, pad: 'same' },
  { x: [2, 7, 9, 3], f: [3, 3, 3, 5], stride: 2, pad: 'same' },
  { x: [1, 8, 8, 4], f: [3, 3, 4, 6], stride: 2, pad: 'same' },
  { x: [3, 9, 7, 2], f: [3, 2, 2, 4], stride: 1, pad: 'valid' },
  { x: [2, 11, 10, 3], f: [3, 3, 3, 2], stride: [2, 3], pad: 'valid' },
  { x: [2, 8, 8, 16], f: [1, 1, 16, 32], stride: 2, pad: 'same' },
  { x: [3, 5, 6, 4], f: [1, 1, 4, 7], stride: 1, pad: 'valid' },
  { x: [1, 6, 5, 2], f: [3, 3, 2, 3], stride: 1, pad: 1 },
  { x: [2, 7, 7, 3], f: [5, 5, 3, 4], stride: 2, pad: 2 },
  {
    x: [2, 6, 7, 2],
    f: [3, 3, 2, 3],
    stride: 2,
    pad: [
      [0, 0],
      [1, 0],
      [2, 1],
      [0, 0],
    ],
  },
  // Several tiles in both directions (rows 45, cols 17) and several reduction chunks.
  { x: [3, 13, 11, 5], f: [3, 3, 5, 17], stride: 1, pad: 'same' },
  // WRN-like layers, reduced: chunked reductions (see planFilterGradient).
  { x: [4, 16, 16, 16], f: [3, 3, 16, 16], stride: 1, pad: 'same' },
  { x: [4, 16, 16, 16], f: [3, 3, 16, 32], stride: 2, pad: 'same' },
  { x: [4, 16, 16, 16], f: [1, 1, 16, 32], stride: 2, pad: 'valid' },
];

function describeCase(c: Case): string {
  return `x ${c.x.join('×')}, filter ${c.f.join('×')}, stride ${String(c.stride)}, pad ${JSON.stringify(c.pad)}`;
}

async function filterGradient(
  backend: string,
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  c: Case,
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
): Promise<Float32Array> {
  await tf.setBackend(backend);
  const result = tf
    .engine()
    .runKernel(
      tf.Conv2DBackpropFilter,
      { x, dy },
      { strides: c.stride, pad: c.pad, dataFormat, filterShape: c.f },
    ) as tf.Tensor;
  const values = (await result.data()) as Float32Array;
  result.dispose();
  return values;
}

function inputs(c: Case, seed: number): { x: tf.Tensor4D; dy: tf.Tensor4D } {
  const x = tf.randomNormal(c.x, 0, 1, 'float32', seed) as tf.Tensor4D;
  const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.stride, 1, c.pad);
  const dy = tf.randomNormal(info.outShape, 0, 1, 'float32', seed + 1) as tf.Tensor4D;
  return { x, dy };
}

describe('planFilterGradient', () => {
  it.each([
    [144, 16, 65_536],
    [576, 64, 4_096],
    [16, 32, 16_384],
    [45, 17, 429],
    [9, 2, 1],
  ])(
    'covers the reduction axis of a %i×%i gradient over %i terms without empty chunks',
    (rows, cols, k) => {
      const plan = planFilterGradient(rows, cols, k);
      const chunkLength = plan.stepsPerChunk * 16;
      expect(plan.chunks).toBeGreaterThanOrEqual(1);
      expect(plan.chunks).toBeLessThanOrEqual(256);
      expect(plan.chunks * chunkLength).toBeGreaterThanOrEqual(k);
      expect((plan.chunks - 1) * chunkLength).toBeLessThan(k);
    },
  );

  it('splits the WRN-16-1 stage-1 gradient ([64,32,32,16], 3×3×16×16) into many chunks', () => {
    const plan = planFilterGradient(144, 16, 64 * 32 * 32);
    expect(plan.chunks).toBeGreaterThanOrEqual(64);
  });

  it('does not split a small reduction', () => {
    expect(planFilterGradient(27, 5, 126).chunks).toBe(1);
  });
});

const setup = await setUpWebGpuForTests();

describe.skipIf(!setup.available && !setup.required)(
  `Conv2DBackpropFilter on webgpu against cpu${setup.available ? '' : ` (no adapter: ${setup.reason})`}`,
  () => {
    beforeAll(() => {
      if (!setup.available) throw new Error(`CI=true but webgpu is unavailable: ${setup.reason}`);
      expect(tf.getKernel(tf.Conv2DBackpropFilter, 'webgpu')).toBe(
        webGpuConv2dBackpropFilterConfig,
      );
    });

    it.each(cases.map((c) => [describeCase(c), c] as const))(
      'matches cpu within 1e-4 relative: %s',
      async (_, c) => {
        await tf.setBackend('cpu');
        const { x, dy } = inputs(c, 7);
        const expected = await filterGradient('cpu', x, dy, c);
        const actual = await filterGradient('webgpu', x, dy, c);
        await tf.setBackend('cpu');
        x.dispose();
        dy.dispose();
        expect(actual.length).toBe(expected.length);
        expect(maxRelativeError(actual, expected)).toBeLessThanOrEqual(1e-4);
      },
    );

    it('hands NCHW to the stock kernel, which matches cpu', async () => {
      const c: Case = { x: [2, 3, 7, 9], f: [3, 3, 3, 5], stride: 1, pad: 'same' };
      await tf.setBackend('cpu');
      const x = tf.randomNormal(c.x, 0, 1, 'float32', 3) as tf.Tensor4D;
      const dy = tf.randomNormal([2, 5, 7, 9], 0, 1, 'float32', 4) as tf.Tensor4D;
      const expected = await filterGradient('cpu', x, dy, c, 'NCHW');
      const actual = await filterGradient('webgpu', x, dy, c, 'NCHW');
      await tf.setBackend('cpu');
      x.dispose();
      dy.dispose();
      expect(maxRelativeError(actual, expected)).toBeLessThanOrEqual(1e-4);
    });

    it('gives tf.grad of a strided conv the filter gradient cpu gives', async () => {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        const x = tf.randomNormal([2, 9, 9, 4], 0, 1, 'float32', 11) as tf.Tensor4D;
        const w = tf.randomNormal([3, 3, 4, 8], 0, 1, 'float32', 12) as tf.Tensor4D;
        const gradient = tf.grad((f: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, 2, 'same'))),
        )(w);
        const values = await gradient.data();
        tf.dispose([x, w, gradient]);
        return values;
      };
      const expected = await run('cpu');
      const actual = await run('webgpu');
      await tf.setBackend('cpu');
      expect(maxRelativeError(actual, expected)).toBeLessThanOrEqual(1e-4);
    });

    it('leaks no tensors and no GPU buffers, chunked or not', async () => {
      await tf.setBackend('webgpu');
      const chunked: Case = { x: [4, 16, 16, 16], f: [3, 3, 16, 16], stride: 1, pad: 'same' };
      const single: Case = { x: [2, 7, 9, 3], f: [3, 3, 3, 5], stride: 2, pad: 'same' };
      expect(planFilterGradient(144, 16, 4 * 16 * 16).chunks).toBeGreaterThan(1);
      // Warm up: compile both programs and let the buffer pool reach its steady size.
      for (const c of [chunked, single]) {
        const { x, dy } = inputs(c, 1);
        await filterGradient('webgpu', x, dy, c);
        x.dispose();
        dy.dispose();
      }
      const tensorsBefore = tf.memory().numTensors;
      const buffersBefore = webGpuBuffersInUse();
      for (let i = 0; i < 4; i++) {
        for (const c of [chunked, single]) {
          const { x, dy } = inputs(c, i);
          await filterGradient('webgpu', x, dy, c);
          x.dispose();
          dy.dispose();
        }
      }
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      expect(webGpuBuffersInUse()).toBe(buffersBefore);
      await tf.setBackend('cpu');
    });
  },
);
