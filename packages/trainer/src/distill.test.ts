import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { syntheticDataset } from '@geokd/datasets';
import { listDistillationLosses } from '@geokd/kd-losses';
import { mlp, smallCnn } from '@geokd/models';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distill } from './distill';
import type { DistillationTerm } from './loss-terms';
import { trainTeacher } from './train-teacher';

const shape: [number, number, number] = [8, 8, 1];
// One generator (the class prototypes depend on the seed), split into train and test.
const all = syntheticDataset({ count: 192, numClasses: 4, shape, seed: 1 });
const range = (start: number, end: number) =>
  Array.from({ length: end - start }, (_, i) => start + i);
const data = { train: all.subset(range(0, 128)), test: all.subset(range(128, 192)) };
const common = {
  data,
  batchSize: 32,
  epochs: 1,
  seed: 3,
  optimizer: { type: 'sgd', learningRate: 0.05 } as const,
  schedule: { type: 'constant' } as const,
};
const teacher = smallCnn({ channels: [8, 8], numClasses: 4, inputShape: shape, seed: 1 });
const newStudent = () => smallCnn({ channels: [4, 4], numClasses: 4, inputShape: shape, seed: 2 });
const weightsOf = (model: ReturnType<typeof newStudent>) =>
  model.parameters.flatMap((parameter) => Array.from(parameter.variable.dataSync()));

async function studentWeights(losses: DistillationTerm[]): Promise<number[]> {
  const student = newStudent();
  await distill({ teacher, student, losses, ...common });
  const weights = weightsOf(student);
  student.dispose();
  return weights;
}

const folders: string[] = [];
afterAll(() => {
  teacher.dispose();
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

describe('distill', () => {
  let baseline: number[];
  beforeAll(async () => {
    await trainTeacher({ model: teacher, ...common, epochs: 2 });
    baseline = await studentWeights([]);
  });

  it('runs every registered loss and each changes the student it trains', async () => {
    const taps = ['block1', 'pool'];
    for (const name of listDistillationLosses()) {
      const isLogits = name === 'hinton';
      const term: DistillationTerm = {
        loss: name,
        weight: 5,
        ...(isLogits ? {} : { taps: name === 'attention-transfer' ? ['block1', 'block2'] : taps }),
      };
      const weights = await studentWeights([term]);
      expect(weights.every(Number.isFinite)).toBe(true);
      expect(weights, name).not.toEqual(baseline);
    }
  });

  it('gives the same run as no term when a term has weight 0, and reports it', async () => {
    const student = newStudent();
    const result = await distill({
      teacher,
      student,
      losses: [{ loss: 'gkd', weight: 0, taps: ['pool'] }],
      ...common,
    });
    expect(weightsOf(student)).toEqual(baseline);
    expect(result.history[0]!.train.terms.gkd).toBeGreaterThanOrEqual(0);
    student.dispose();
  });

  it('passes labels to class-masked GKD and accepts a loss object instead of a name', async () => {
    const weights = await studentWeights([
      { loss: 'gkd', weight: 10, taps: ['pool'], options: { k: 8, classMode: 'intra' } },
    ]);
    expect(weights).not.toEqual(baseline);
    const meanSquare = {
      name: 'pool-energy',
      description: 'test loss',
      input: 'features' as const,
      compute: (student: tf.Tensor[]) => tf.mean(tf.square(student[0]!)) as tf.Scalar,
    };
    expect(await studentWeights([{ loss: meanSquare, weight: 1, taps: ['pool'] }])).not.toEqual(
      baseline,
    );
  });

  it('stops with an error naming the term and the step when a loss turns NaN, keeping the last checkpoint', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-distill-'));
    folders.push(directory);
    let calls = 0;
    const failing = {
      name: 'unstable',
      description: 'NaN from the 6th call',
      input: 'logits' as const,
      compute: (student: tf.Tensor[]) => {
        calls += 1;
        return tf.mul(tf.mean(student[0]!), calls > 6 ? Number.NaN : 0) as tf.Scalar;
      },
    };
    const student = newStudent();
    await expect(
      distill({
        teacher,
        student,
        losses: [{ loss: failing, weight: 1 }],
        ...common,
        epochs: 3,
        checkpointDir: directory,
      }),
    ).rejects.toThrow(/unstable.*step 3/s);
    expect(fs.readdirSync(directory)).toContain('checkpoint');
    calls = 0;
    await expect(
      distill({
        teacher,
        student,
        losses: [{ loss: failing, weight: 1 }],
        ...common,
        epochs: 3,
        checkpointDir: directory,
        overwrite: true,
      }),
    ).rejects.toThrow(`the last checkpoint (${path.join(directory, 'checkpoint')}) was kept`);
    student.dispose();
  });

  it('says that no checkpoint exists when a loss turns non-finite without checkpoints, leaving the moving statistics finite', async () => {
    const student = newStudent();
    // Finite weights whose products overflow float32: the first activations become Infinity.
    const first = student.parameters.find((parameter) => parameter.variable.shape.length === 4)!;
    first.variable.assign(tf.fill(first.variable.shape, 3e38));
    const statistics = student.parameters.filter((parameter) => parameter.name.includes('moving'));
    expect(statistics.length).toBeGreaterThan(0);
    const before = statistics.map((parameter) => Array.from(parameter.variable.dataSync()));
    const run = distill({ teacher, student, losses: [], ...common });
    await expect(run).rejects.toThrow('training stopped and no checkpoint was written');
    await expect(run).rejects.not.toThrow('was kept');
    // The forward pass of the failed step must not leave NaN in the batch-norm moving statistics.
    expect(statistics.map((parameter) => Array.from(parameter.variable.dataSync()))).toEqual(
      before,
    );
    student.dispose();
  });

  it('rejects unknown taps, listing the valid ones, and unknown loss names', async () => {
    const student = newStudent();
    await expect(
      distill({
        teacher,
        student,
        losses: [{ loss: 'gkd', weight: 1, taps: ['stage9'] }],
        ...common,
      }),
    ).rejects.toThrow("distill: losses[0].taps[0] must be a feature tap of the student 'small-cnn");
    await expect(
      distill({
        teacher,
        student,
        losses: [{ loss: 'gkb', weight: 1, taps: ['pool'] }],
        ...common,
      }),
    ).rejects.toThrow("Did you mean 'gkd'?");
    await expect(distill({ teacher, student: teacher, losses: [], ...common })).rejects.toThrow(
      'distill: student must be a model other than the teacher',
    );
    const wrongShape = mlp({ hidden: [8], numClasses: 4, inputShape: [4, 4, 1], seed: 1 });
    await expect(distill({ teacher, student: wrongShape, losses: [], ...common })).rejects.toThrow(
      'distill: data.train.shape must be [4, 4, 1]',
    );
    student.dispose();
    wrongShape.dispose();
  });

  it('maps teacher taps to student taps by name, and rejects a pair naming an unknown tap', async () => {
    const paired = await studentWeights([
      { loss: 'gkd', weight: 10, taps: [{ teacher: 'block1', student: 'pool' }] },
    ]);
    expect(paired).not.toEqual(baseline);
    expect(paired).not.toEqual(await studentWeights([{ loss: 'gkd', weight: 10, taps: ['pool'] }]));
    const student = newStudent();
    await expect(
      distill({
        teacher,
        student,
        losses: [{ loss: 'gkd', weight: 1, taps: [{ teacher: 'stage9', student: 'pool' }] }],
        ...common,
      }),
    ).rejects.toThrow(
      "distill: losses[0].taps[0].teacher must be a feature tap of the teacher 'small-cnn",
    );
    student.dispose();
  });

  it('trains FitNets regressors with the student and resumes them from the checkpoint', async () => {
    const losses: DistillationTerm[] = [
      { loss: 'fitnets', weight: 1, taps: [{ teacher: 'block1', student: 'block1' }, 'pool'] },
    ];
    const fresh = newStudent();
    const before = tf.memory().numTensors;
    const full = await distill({ teacher, student: fresh, losses, ...common, epochs: 2 });
    // The regressors are freed with the run.
    expect(tf.memory().numTensors).toBe(before);
    expect(full.history[1]!.train.terms.fitnets).toBeLessThan(
      full.history[0]!.train.terms.fitnets!,
    );
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-fitnets-'));
    folders.push(directory);
    const resumed = newStudent();
    const options = { teacher, student: resumed, losses, ...common, checkpointDir: directory };
    await distill({
      ...options,
      epochs: 2,
      callbacks: { onEpochEnd: (_e, _l, control) => control.stop() },
    });
    await distill({ ...options, epochs: 2, resume: true });
    expect(weightsOf(resumed)).toEqual(weightsOf(fresh));
    fresh.dispose();
    resumed.dispose();
  });
});
