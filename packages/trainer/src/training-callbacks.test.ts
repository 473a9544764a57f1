import { syntheticDataset } from '@geokd/datasets';
import { mlp } from '@geokd/models';
import { describe, expect, it } from 'vitest';
import { trainTeacher } from './train-teacher';

const shape: [number, number, number] = [4, 4, 1];
const all = syntheticDataset({ count: 96, numClasses: 3, shape, seed: 1 });
const range = (start: number, end: number) =>
  Array.from({ length: end - start }, (_, i) => start + i);
const data = { train: all.subset(range(0, 64)), test: all.subset(range(64, 96)) };
const common = {
  data,
  batchSize: 16,
  seed: 5,
  optimizer: { type: 'sgd', learningRate: 0.05 } as const,
  schedule: { type: 'constant' } as const,
};

describe('training callbacks', () => {
  it('calls each callback in fit order, epochs and batches counted from 0', async () => {
    const model = mlp({ hidden: [8], numClasses: 3, inputShape: shape, seed: 1 });
    const calls: string[] = [];
    const losses: number[] = [];
    const result = await trainTeacher({
      model,
      ...common,
      epochs: 2,
      callbacks: {
        onTrainBegin: (logs) => {
          calls.push(`train-begin ${logs.epochs} ${logs.stepsPerEpoch}`);
        },
        onEpochBegin: (epoch) => {
          calls.push(`epoch-begin ${epoch}`);
        },
        onBatchBegin: (batch, logs) => {
          calls.push(`batch-begin ${logs.epoch}.${batch}`);
        },
        onBatchEnd: async (batch, logs) => {
          // Async callbacks are awaited before the next step.
          await new Promise((resolve) => setTimeout(resolve, 1));
          losses.push(logs.loss);
          calls.push(`batch-end ${logs.epoch}.${batch} step ${logs.globalStep}`);
        },
        onEpochEnd: (epoch, logs) => {
          calls.push(`epoch-end ${epoch} ${logs.epoch}`);
        },
        onTrainEnd: (logs) => {
          calls.push(`train-end ${logs.history.length}`);
        },
      },
    });
    const epoch = (e: number) => [
      `epoch-begin ${e}`,
      ...[0, 1, 2, 3].flatMap((b) => [
        `batch-begin ${e}.${b}`,
        `batch-end ${e}.${b} step ${e * 4 + b + 1}`,
      ]),
      `epoch-end ${e} ${e + 1}`,
    ];
    expect(calls).toEqual(['train-begin 2 4', ...epoch(0), ...epoch(1), 'train-end 2']);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(result.stoppedEarly).toBeUndefined();
    model.dispose();
  });

  it('stops after the epoch when onEpochEnd calls stop()', async () => {
    const model = mlp({ hidden: [8], numClasses: 3, inputShape: shape, seed: 1 });
    const result = await trainTeacher({
      model,
      ...common,
      epochs: 5,
      callbacks: {
        onEpochEnd: (epoch, _logs, control) => {
          if (epoch === 1) control.stop();
        },
      },
    });
    expect(result.history.map((record) => record.epoch)).toEqual([1, 2]);
    expect(result.stoppedEarly).toBe(true);
    expect(result.test).toEqual(result.history[1]!.test);
    model.dispose();
  });

  it('stops within an epoch when onBatchEnd calls stop(), recording the partial epoch', async () => {
    const model = mlp({ hidden: [8], numClasses: 3, inputShape: shape, seed: 1 });
    let batches = 0;
    const result = await trainTeacher({
      model,
      ...common,
      epochs: 3,
      callbacks: {
        onBatchEnd: (batch, _logs, control) => {
          batches++;
          if (batch === 1) control.stop();
        },
      },
    });
    expect(batches).toBe(2);
    expect(result.history).toHaveLength(1);
    expect(result.stoppedEarly).toBe(true);
    model.dispose();
  });

  it('rejects a callback that is not a function', async () => {
    const model = mlp({ hidden: [8], numClasses: 3, inputShape: shape, seed: 1 });
    await expect(
      trainTeacher({ model, ...common, epochs: 1, callbacks: { onEpochEnd: 3 as never } }),
    ).rejects.toThrow('trainTeacher: callbacks.onEpochEnd must be a function, received number');
    model.dispose();
  });
});
