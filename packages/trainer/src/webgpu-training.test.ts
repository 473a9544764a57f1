import { initBackend } from '@geokd/backend';
import { syntheticDataset } from '@geokd/datasets';
import { mlp } from '@geokd/models';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { distill } from './distill';
import { trainTeacher } from './train-teacher';
import type { TrainingResult } from './training-options';

// WebGPU in Node (Dawn) throws on every synchronous read (`dataSync`), so a trainer that reads
// synchronously cannot train there at all. CI runs this on Mesa's lavapipe (software Vulkan).
const required = process.env.CI === 'true';
let reason = '';
try {
  await initBackend({ prefer: ['webgpu'], allowSoftwareAdapter: true, quiet: true });
} catch (error) {
  reason = error instanceof Error ? error.message : String(error);
}
await tf.setBackend('cpu');
const available = reason === '';

const shape: [number, number, number] = [8, 8, 1];
const all = syntheticDataset({ count: 192, numClasses: 4, shape, seed: 1 });
const indices = (start: number, end: number) =>
  Array.from({ length: end - start }, (_, i) => start + i);
const data = { train: all.subset(indices(0, 128)), test: all.subset(indices(128, 192)) };
const common = {
  data,
  epochs: 2,
  batchSize: 32,
  seed: 5,
  optimizer: { type: 'sgd', learningRate: 0.05 } as const,
  schedule: { type: 'constant' } as const,
};

/** A teacher trained, then a student distilled with GKD + Hinton, on `backend`. */
async function teacherAndStudent(backend: string): Promise<TrainingResult[]> {
  await tf.setBackend(backend);
  const teacher = mlp({ hidden: [16], numClasses: 4, inputShape: shape, seed: 3 });
  const student = mlp({ hidden: [8], numClasses: 4, inputShape: shape, seed: 4 });
  try {
    const taught = await trainTeacher({ model: teacher, ...common });
    const distilled = await distill({
      teacher,
      student,
      ...common,
      losses: [
        { loss: 'gkd', weight: 1, taps: ['hidden1'] },
        { loss: 'hinton', weight: 0.5 },
      ],
    });
    return [taught, distilled];
  } finally {
    teacher.dispose();
    student.dispose();
    await tf.setBackend('cpu');
  }
}

describe.skipIf(!available && !required)(
  `training on webgpu in Node${available ? '' : ` (no adapter: ${reason})`}`,
  () => {
    it('trains a teacher and distils a student with the same losses as on cpu (1e-3 relative)', async () => {
      if (!available) throw new Error(`CI=true but webgpu is unavailable: ${reason}`);
      const gpu = await teacherAndStudent('webgpu');
      const cpu = await teacherAndStudent('cpu');
      for (const [run, result] of gpu.entries()) {
        expect(result.backend).toBe('webgpu');
        for (const [epoch, record] of result.history.entries()) {
          const reference = cpu[run]!.history[epoch]!;
          expect(Number.isFinite(record.train.totalLoss)).toBe(true);
          expect(Math.abs(record.train.totalLoss - reference.train.totalLoss)).toBeLessThan(
            1e-3 * Math.max(1, Math.abs(reference.train.totalLoss)),
          );
        }
        expect(Math.abs(result.test.accuracy - cpu[run]!.test.accuracy)).toBeLessThanOrEqual(
          1 / 64,
        );
      }
    });
  },
);
