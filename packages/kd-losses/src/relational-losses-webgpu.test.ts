import { initBackend } from '@geokd/backend';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rkdAngleLoss } from './relational-angle-loss';
import { rkdDistanceLoss } from './relational-distance-loss';
import { similarityPreservingLoss } from './similarity-preserving-loss';
import { type Matrix, seededMatrix } from './test-utils/reference';

// The analytic gradients of rkdDistanceLoss, rkdAngleLoss and similarityPreservingLoss on WebGPU (Dawn; CI runs it on Mesa's lavapipe and, with
// CI=true, requires an adapter; elsewhere a missing adapter skips the suite): the same loss and
// gradient as on cpu, read asynchronously, and a NaN loss for non-finite input (propagated
// through the gram matrix to entries that no clamp touches).
const required = process.env.CI === 'true';
let reason = '';
try {
  await initBackend({ prefer: ['webgpu'], allowSoftwareAdapter: true, quiet: true });
} catch (error) {
  reason = error instanceof Error ? error.message : String(error);
}
await tf.setBackend('cpu');
const available = reason === '';

const batch = 16;
const student: Matrix = seededMatrix(batch, 12, 31);
// Rows 0 and 5 coincide for the distance loss (clamped distance, no gradient between them). Not
// for the angle loss: a cosine at a vertex that coincides with another point is 0/1e-6-scaled
// rounding noise (its gradient too), which differs between backends.
const coincident: Matrix = student.map((row, i) => [...(i === 5 ? student[0]! : row)]);
const teacher: Matrix = seededMatrix(batch, 20, 32, 0, 1);

type PairLoss = (student: tf.Tensor, teacher: tf.Tensor) => tf.Scalar;

/** The loss and its gradient w.r.t. the student on `backend`, read asynchronously. */
async function lossAndGradient(pairLoss: PairLoss, backend: string, s: Matrix, t: Matrix) {
  await tf.setBackend(backend);
  const x = tf.tensor2d(s);
  const y = tf.tensor2d(t);
  const before = tf.memory().numTensors;
  const value = pairLoss(x, y);
  const gradient = tf.grad((z: tf.Tensor) => pairLoss(z, y))(x);
  const loss = (await value.data())[0]!;
  const gradientValues = Array.from(await gradient.data());
  tf.dispose([value, gradient]);
  const leaked = tf.memory().numTensors - before;
  tf.dispose([x, y]);
  await tf.setBackend('cpu');
  return { loss, gradient: gradientValues, leaked };
}

describe.each([
  ['rkdDistanceLoss', rkdDistanceLoss, coincident],
  ['rkdAngleLoss', rkdAngleLoss, student],
  ['similarityPreservingLoss', similarityPreservingLoss, coincident],
] as Array<[string, PairLoss, Matrix]>)('%s on webgpu in Node', (_name, loss, features) => {
  describe.skipIf(!available && !required)(available ? 'adapter' : `no adapter: ${reason}`, () => {
    it('matches cpu: loss and gradient within 1e-4 relative, nothing leaked', async () => {
      if (!available) throw new Error(`CI=true but webgpu is unavailable: ${reason}`);
      const gpu = await lossAndGradient(loss, 'webgpu', features, teacher);
      const cpu = await lossAndGradient(loss, 'cpu', features, teacher);
      expect(cpu.loss).toBeGreaterThan(0);
      expect(Math.abs(gpu.loss - cpu.loss)).toBeLessThanOrEqual(1e-4 * cpu.loss);
      const scale = Math.max(...cpu.gradient.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      const worst = Math.max(...gpu.gradient.map((v, i) => Math.abs(v - cpu.gradient[i]!)));
      expect(worst).toBeLessThanOrEqual(1e-4 * scale);
      expect(gpu.leaked).toBe(0);
      expect(cpu.leaked).toBe(0);
    });

    it('gives a NaN loss for a NaN or infinite value on either side', async () => {
      if (!available) throw new Error(`CI=true but webgpu is unavailable: ${reason}`);
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
        const poisoned = features.map((row, i) => (i === 3 ? [bad, ...row.slice(1)] : row));
        const poisonedTeacher = teacher.map((row, i) => (i === 3 ? [bad, ...row.slice(1)] : row));
        expect(Number.isNaN((await lossAndGradient(loss, 'webgpu', poisoned, teacher)).loss)).toBe(
          true,
        );
        expect(
          Number.isNaN((await lossAndGradient(loss, 'webgpu', features, poisonedTeacher)).loss),
        ).toBe(true);
      }
    });
  });
});
