import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadMnistEmbedded, syntheticDataset } from '@geokd/datasets';
import { mlp } from '@geokd/models';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetricsLog } from './metrics-log';
import { trainTeacher } from './train-teacher';
import type { TrainingEvent } from './training-events';

const shape: [number, number, number] = [8, 8, 1];
// One generator (the class prototypes depend on the seed), split into train and test.
const all = syntheticDataset({ count: 384, numClasses: 4, shape, seed: 1 });
const range = (start: number, end: number) =>
  Array.from({ length: end - start }, (_, i) => start + i);
const train = all.subset(range(0, 256));
const test = all.subset(range(256, 384));
const data = { train, test };
const common = {
  data,
  batchSize: 32,
  optimizer: { type: 'sgd', learningRate: 0.05 } as const,
  schedule: { type: 'constant' } as const,
};

const folders: string[] = [];
function scratch(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-trainer-'));
  folders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

function weightsOf(model: ReturnType<typeof mlp>): number[] {
  return model.parameters.flatMap((parameter) => Array.from(parameter.variable.dataSync()));
}

describe('trainTeacher', () => {
  it('learns the synthetic classes well above chance and reports events', async () => {
    const model = mlp({ hidden: [32, 16], numClasses: 4, inputShape: shape, seed: 3 });
    const events: TrainingEvent[] = [];
    const result = await trainTeacher({
      model,
      ...common,
      optimizer: { type: 'sgd', learningRate: 0.1 },
      epochs: 10,
      seed: 7,
      onEvent: (event) => events.push(event),
    });
    // Chance is 0.25 on four classes.
    expect(result.test.accuracy).toBeGreaterThan(0.6);
    expect(result.history).toHaveLength(10);
    expect(result.backend).toBe('cpu');
    const types = new Set(events.map((event) => event.type));
    for (const type of ['run-start', 'epoch-start', 'step', 'epoch-end', 'run-end'] as const) {
      expect(types.has(type)).toBe(true);
    }
    const step = events.find((event) => event.type === 'step');
    expect(step).toMatchObject({ learningRate: 0.1 });
    model.dispose();
  });

  it('learns a slice of the embedded MNIST digits', async () => {
    const mnist = loadMnistEmbedded({ seed: 1 });
    const slice = {
      train: mnist.train.subset(range(0, 1536)),
      test: mnist.test.subset(range(0, 512)),
    };
    const model = mlp({ hidden: [64], numClasses: 10, inputShape: [28, 28, 1], seed: 3 });
    const result = await trainTeacher({
      model,
      data: slice,
      epochs: 3,
      seed: 1,
      batchSize: 32,
      optimizer: { type: 'adam', learningRate: 0.002 },
      schedule: { type: 'constant' },
    });
    // Chance is 0.1.
    expect(result.test.accuracy).toBeGreaterThan(0.75);
    model.dispose();
  });

  it('gives identical histories for the same seed and different ones for another seed', async () => {
    const run = async (seed: number) => {
      const model = mlp({ hidden: [16], numClasses: 4, inputShape: shape, seed: 3 });
      const result = await trainTeacher({ model, ...common, epochs: 2, seed });
      const weights = weightsOf(model);
      model.dispose();
      return {
        history: result.history.map(({ durationMs, imagesPerSecond, ...rest }) => rest),
        weights,
      };
    };
    const first = await run(11);
    const second = await run(11);
    const other = await run(12);
    expect(second.history).toEqual(first.history);
    expect(second.weights).toEqual(first.weights);
    expect(other.weights).not.toEqual(first.weights);
  });

  it('resumes a run stopped after epoch 2 of 4 and ends with the same weights as an uninterrupted run', async () => {
    const options = { ...common, epochs: 4, seed: 5, augment: false };
    const reference = mlp({ hidden: [16], numClasses: 4, inputShape: shape, seed: 9 });
    await trainTeacher({ model: reference, ...options });
    const expected = weightsOf(reference);
    reference.dispose();

    const directory = scratch();
    const interrupted = mlp({ hidden: [16], numClasses: 4, inputShape: shape, seed: 9 });
    const stop = (event: TrainingEvent) => {
      if (event.type === 'checkpoint' && event.epoch === 2) throw new Error('killed after epoch 2');
    };
    await expect(
      trainTeacher({ model: interrupted, ...options, checkpointDir: directory, onEvent: stop }),
    ).rejects.toThrow('killed after epoch 2');
    interrupted.dispose();

    // A restarted script builds the same model again; the checkpoint then overwrites its weights.
    const resumed = mlp({ hidden: [16], numClasses: 4, inputShape: shape, seed: 9 });
    for (const parameter of resumed.parameters)
      parameter.variable.assign(tf.zerosLike(parameter.variable));
    const result = await trainTeacher({
      model: resumed,
      ...options,
      checkpointDir: directory,
      resume: true,
    });
    expect(result.resumedEpochs).toBe(2);
    expect(result.history).toHaveLength(4);
    expect(weightsOf(resumed)).toEqual(expected);
    expect(readMetricsLog(directory).map((record) => record.epoch)).toEqual([1, 2, 3, 4]);
    resumed.dispose();
  });

  it('refuses a checkpoint of another architecture and leaves it untouched', async () => {
    const directory = scratch();
    const small = mlp({ hidden: [16], numClasses: 4, inputShape: shape, seed: 1 });
    await trainTeacher({ model: small, ...common, epochs: 1, seed: 1, checkpointDir: directory });
    small.dispose();
    const before = fs.readdirSync(directory).sort();
    const wider = mlp({ hidden: [24], numClasses: 4, inputShape: shape, seed: 1 });
    await expect(
      trainTeacher({
        model: wider,
        ...common,
        epochs: 1,
        seed: 1,
        checkpointDir: directory,
        resume: true,
      }),
    ).rejects.toThrow(/written by another configuration/);
    await expect(
      trainTeacher({ model: wider, ...common, epochs: 1, seed: 1, checkpointDir: directory }),
    ).rejects.toThrow(/already holds a checkpoint/);
    expect(fs.readdirSync(directory).sort()).toEqual(before);
    wider.dispose();
  });

  it('keeps tf.memory().numTensors flat over 200 steps', async () => {
    const model = mlp({ hidden: [16], numClasses: 4, inputShape: shape, seed: 2 });
    await trainTeacher({ model, ...common, epochs: 1, seed: 1 });
    const before = tf.memory().numTensors;
    // 256 examples / batch 8 = 32 steps per epoch, 7 epochs = 224 steps.
    await trainTeacher({ model, ...common, batchSize: 8, epochs: 7, seed: 2 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('rejects invalid options with a message naming the argument', async () => {
    const model = mlp({ hidden: [8], numClasses: 4, inputShape: shape, seed: 2 });
    await expect(trainTeacher({ model, ...common, epochs: 0, seed: 1 })).rejects.toThrow(
      'trainTeacher: epochs must be an integer >= 1, received 0',
    );
    await expect(
      trainTeacher({ model, ...common, batchSize: 1000, epochs: 1, seed: 1 }),
    ).rejects.toThrow('trainTeacher: batchSize must be at most the 256 training examples');
    const wrongClasses = mlp({ hidden: [8], numClasses: 3, inputShape: shape, seed: 2 });
    await expect(
      trainTeacher({ model: wrongClasses, ...common, epochs: 1, seed: 1 }),
    ).rejects.toThrow(
      "trainTeacher: data.train.numClasses must be 3 (the numClasses of model 'mlp",
    );
    model.dispose();
    wrongClasses.dispose();
  });
});
