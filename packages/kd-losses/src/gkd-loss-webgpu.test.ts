import { initBackend } from '@geokd/backend';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { gkdLoss } from './gkd-loss';
import { type Matrix, seededMatrix } from './test-utils/reference';

// WebGPU in Node (Dawn) throws on every synchronous read (`dataSync`), so GKD with a kNN mask
// (k < B) must build the mask on the device there. CI runs this on Mesa's lavapipe (software
// Vulkan) and, with CI=true, requires an adapter; elsewhere a missing adapter skips the suite.
const required = process.env.CI === 'true';
let reason = '';
try {
  await initBackend({ prefer: ['webgpu'], allowSoftwareAdapter: true, quiet: true });
} catch (error) {
  reason = error instanceof Error ? error.message : String(error);
}
await tf.setBackend('cpu');
const available = reason === '';

const batch = 24;
// Two distilled layers of different widths; the teacher's pooled layer is quantised so that its
// graph has ties, which the kNN mask must break the same way on both backends.
const students: Matrix[] = [seededMatrix(batch, 12, 11), seededMatrix(batch, 5, 12)];
const teachers: Matrix[] = [
  seededMatrix(batch, 20, 13),
  seededMatrix(batch, 3, 14).map((row) => row.map((v) => Math.round(v * 2) / 2)),
];

/** The loss and its gradient w.r.t. every student layer, on `backend`, read asynchronously. */
async function lossAndGradient(backend: string, k: number) {
  await tf.setBackend(backend);
  const student = students.map((m) => tf.tensor2d(m));
  const teacher = teachers.map((m) => tf.tensor2d(m));
  const before = tf.memory().numTensors;
  const value = gkdLoss(student, teacher, { k });
  const gradients = tf.grads((...s: tf.Tensor[]) => gkdLoss(s, teacher, { k }))(student);
  const loss = (await value.data())[0]!;
  const gradientValues = await Promise.all(gradients.map(async (g) => Array.from(await g.data())));
  tf.dispose([value, ...gradients]);
  const leaked = tf.memory().numTensors - before;
  tf.dispose([...student, ...teacher]);
  await tf.setBackend('cpu');
  return { loss, gradients: gradientValues, leaked };
}

/**
 * max |a − b| ≤ tolerance · scale, where scale is the largest |value| of the reference
 * gradient over every layer (one layer's gradient can be exactly 0, as with k = 1 here).
 */
function expectRelativelyClose(actual: number[][], expected: number[][], tolerance: number): void {
  const scale = Math.max(...expected.flat().map(Math.abs));
  expect(scale).toBeGreaterThan(0);
  expect(actual.map((layer) => layer.length)).toEqual(expected.map((layer) => layer.length));
  const worst = Math.max(
    ...actual.flatMap((layer, l) => layer.map((v, i) => Math.abs(v - expected[l]![i]!))),
  );
  expect(worst).toBeLessThanOrEqual(tolerance * scale);
}

describe.skipIf(!available && !required)(
  `gkdLoss with a kNN mask on webgpu in Node${available ? '' : ` (no adapter: ${reason})`}`,
  () => {
    it.each([1, 4, batch - 1])(
      'matches cpu with k = %i: loss and gradient within 1e-4 relative, nothing leaked',
      async (k) => {
        if (!available) throw new Error(`CI=true but webgpu is unavailable: ${reason}`);
        const gpu = await lossAndGradient('webgpu', k);
        const cpu = await lossAndGradient('cpu', k);
        expect(cpu.loss).toBeGreaterThan(0);
        expect(Math.abs(gpu.loss - cpu.loss)).toBeLessThanOrEqual(1e-4 * cpu.loss);
        expectRelativelyClose(gpu.gradients, cpu.gradients, 1e-4);
        expect(gpu.leaked).toBe(0);
        expect(cpu.leaked).toBe(0);
      },
    );
  },
);
