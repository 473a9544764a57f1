import { initBackend } from '@geokd/backend';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { knnMask } from './knn-mask';
import { knnMaskOnHost } from './knn-selection';
import { type Matrix, randomMatrix } from './test-utils/float64-reference';

// WebGPU in Node (Dawn) throws on every synchronous read (`dataSync`): knnMask must take its
// device path there. CI runs this on Mesa's lavapipe (software Vulkan) and, with CI=true,
// requires an adapter; elsewhere a missing adapter skips the suite with the reason.
const required = process.env.CI === 'true';
let reason = '';
try {
  await initBackend({ prefer: ['webgpu'], allowSoftwareAdapter: true, quiet: true });
} catch (error) {
  reason = error instanceof Error ? error.message : String(error);
}
await tf.setBackend('cpu');
const available = reason === '';

/** Graphs with many ties: values on a grid of 9 levels, some rows all equal, -0 next to 0. */
function graphs(n: number): Matrix[] {
  const random = randomMatrix(n, n, 40 + n, -1, 1).map((row) => row.map((v) => Math.fround(v)));
  const quantised = randomMatrix(n, n, 50 + n, -1, 1).map((row) =>
    row.map((v) => Math.round(v * 4) / 4),
  );
  const constantRows = quantised.map((row, i) =>
    i % 3 === 0 ? new Array<number>(n).fill(i % 2 === 0 ? 0 : -0) : row,
  );
  return [random, quantised, constantRows];
}

/** The masks of `a` for each k, computed on the cpu backend by the JavaScript selection. */
function cpuMasks(a: Matrix, ks: number[]): Matrix[] {
  const adjacency = tf.tensor2d(a, [a.length, a.length], 'float32');
  const masks = ks.map((k) => {
    const mask = knnMaskOnHost('knnMask', adjacency, k);
    const values = mask.arraySync();
    mask.dispose();
    return values;
  });
  adjacency.dispose();
  return masks;
}

describe.skipIf(!available && !required)(
  `knnMask on webgpu in Node${available ? '' : ` (no adapter: ${reason})`}`,
  () => {
    afterEach(async () => {
      vi.restoreAllMocks();
      await tf.setBackend('cpu');
    });
    afterAll(async () => {
      await tf.setBackend('cpu');
    });

    it('computes the same masks as the cpu backend, ties included, with no read and no leak', async () => {
      if (!available) throw new Error(`CI=true but webgpu is unavailable: ${reason}`);
      for (const n of [2, 5, 24, 70]) {
        const ks = [...new Set([1, 3, Math.floor(n / 2), n - 1])].filter((k) => k < n);
        for (const a of graphs(n)) {
          const expected = cpuMasks(a, ks);
          await tf.setBackend('webgpu');
          const backend = tf.backend();
          const readSync = vi.spyOn(backend, 'readSync');
          const read = vi.spyOn(backend, 'read');
          const adjacency = tf.tensor2d(a, [n, n], 'float32');
          const before = tf.memory().numTensors;
          const masks = ks.map((k) => knnMask(adjacency, k));
          expect(readSync).not.toHaveBeenCalled();
          expect(read).not.toHaveBeenCalled();
          expect(tf.memory().numTensors).toBe(before + ks.length);
          for (const [index, mask] of masks.entries()) {
            expect(mask.dtype).toBe('float32');
            const values = Array.from(await mask.data());
            expect(values, `B = ${n}, k = ${ks[index]}`).toEqual(expected[index]!.flat());
          }
          tf.dispose([adjacency, ...masks]);
          vi.restoreAllMocks();
          await tf.setBackend('cpu');
        }
      }
    });
  },
);
