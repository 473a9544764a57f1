import { initBackend } from '@geokd/backend';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { hintonKdLoss } from './hinton-kd-loss';
import { type Matrix, seededMatrix } from './test-utils/reference';

// hintonKdLoss's analytic gradient on WebGPU in Node (Dawn; reads only through `data()`): the
// series rows raise x to the powers 0…10 with one `pow` (negative and zero bases included) and
// the direct rows use the softmax's saturated tails. CI runs this on Mesa's lavapipe (software
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

const student = seededMatrix(6, 10, 31, -3, 3);
const teacher = seededMatrix(6, 10, 32, -5, 5);
// Row 0 of the teacher equals the student's: x = 0 there (pow(0, n)).
teacher[0] = [...student[0]!];

/** The loss and its gradient w.r.t. the student, on `backend`, read asynchronously. */
async function lossAndGradient(backend: string, s: Matrix, t: Matrix, temperature: number) {
  await tf.setBackend(backend);
  const studentLogits = tf.tensor2d(s);
  const teacherLogits = tf.tensor2d(t);
  const before = tf.memory().numTensors;
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
    hintonKdLoss(x, teacherLogits, { temperature }),
  )(studentLogits);
  const loss = (await value.data())[0]!;
  const gradient = Array.from(await grad.data());
  tf.dispose([value, grad]);
  const leaked = tf.memory().numTensors - before;
  tf.dispose([studentLogits, teacherLogits]);
  await tf.setBackend('cpu');
  return { loss, gradient, leaked };
}

describe.skipIf(!available && !required)(
  `hintonKdLoss on webgpu in Node${available ? '' : ` (no adapter: ${reason})`}`,
  () => {
    it.each([0.05, 0.5, 4, 30, 1e3, 1e10, 1e100])(
      'matches cpu at T = %d: loss and gradient within 1e-4 relative, nothing leaked',
      async (temperature) => {
        if (!available) throw new Error(`CI=true but webgpu is unavailable: ${reason}`);
        const gpu = await lossAndGradient('webgpu', student, teacher, temperature);
        const cpu = await lossAndGradient('cpu', student, teacher, temperature);
        expect(cpu.loss).toBeGreaterThan(0);
        expect(Math.abs(gpu.loss - cpu.loss)).toBeLessThanOrEqual(1e-4 * cpu.loss);
        const scale = Math.max(...cpu.gradient.map(Math.abs));
        expect(scale).toBeGreaterThan(0);
        const worst = Math.max(...gpu.gradient.map((g, i) => Math.abs(g - cpu.gradient[i]!)));
        expect(worst).toBeLessThanOrEqual(1e-4 * scale);
        expect(gpu.leaked).toBe(0);
        expect(cpu.leaked).toBe(0);
      },
    );
  },
);
