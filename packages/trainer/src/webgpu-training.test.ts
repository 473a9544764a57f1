import { initBackend } from '@geokd/backend';
import { syntheticDataset } from '@geokd/datasets';
import { mlp, smallCnn } from '@geokd/models';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { distill } from './distill';
import { createSgdOptimizer } from './sgd-optimizer';
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

/**
 * Two SGD steps of a small CNN (batch norm: its moving statistics are updated in one batched
 * pass) on `backend`, the first parameter without a gradient in the second step (the flat
 * update's masked path); returns every variable's values.
 */
async function flatUpdateSteps(backend: string): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const model = smallCnn({ channels: [4, 6], numClasses: 3, inputShape: [6, 6, 2], seed: 9 });
  const parameters = model.parameters
    .filter((parameter) => parameter.trainable)
    .map(({ name, variable, weightDecay }) => ({ name, variable, weightDecay }));
  const sgd = createSgdOptimizer(parameters, { type: 'sgd', weightDecay: 0.01, nesterov: true });
  const x = tf.randomUniform([4, 6, 6, 2], -1, 1, 'float32', 11) as tf.Tensor4D;
  try {
    for (const skip of [[], [parameters[0]!.name]]) {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.square(model.apply(x, { training: true }).logits)) as tf.Scalar,
        parameters.map((parameter) => parameter.variable),
      );
      const gradients: Record<string, tf.Tensor> = {};
      for (const parameter of parameters) {
        if (!skip.includes(parameter.name))
          gradients[parameter.name] = grads[parameter.variable.name]!;
      }
      sgd.applyGradients(gradients, 0.1);
      tf.dispose([value, ...Object.values(grads)]);
    }
    const slots = Object.values(sgd.getState().slots);
    return await Promise.all(
      [...model.parameters.map((parameter) => parameter.variable), ...slots].map(
        async (tensor) => (await tensor.data()) as Float32Array,
      ),
    );
  } finally {
    x.dispose();
    sgd.dispose();
    model.dispose();
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

    it('updates parameters as one flat vector and batch-norm statistics batched, as on cpu (1e-4)', async () => {
      if (!available) throw new Error(`CI=true but webgpu is unavailable: ${reason}`);
      const gpu = await flatUpdateSteps('webgpu');
      const cpu = await flatUpdateSteps('cpu');
      expect(gpu.length).toBe(cpu.length);
      gpu.forEach((values, i) => {
        const reference = cpu[i]!;
        const scale = Math.max(1, ...Array.from(reference, Math.abs));
        const difference = Math.max(...Array.from(values, (v, j) => Math.abs(v - reference[j]!)));
        expect(difference).toBeLessThan(1e-4 * scale);
      });
    });
  },
);
