import { syntheticDataset } from '@geokd/datasets';
import { mlp } from '@geokd/models';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointManifest, LoadedCheckpoint } from './checkpoint-store';
import { configHash } from './config-hash';
import { trainTeacher } from './train-teacher';
import type { TrainingCheckpointStore } from './training-checkpoint-store';

const shape: [number, number, number] = [4, 4, 1];
const all = syntheticDataset({ count: 96, numClasses: 3, shape, seed: 1 });
const range = (start: number, end: number) =>
  Array.from({ length: end - start }, (_, i) => start + i);
const options = {
  data: { train: all.subset(range(0, 64)), test: all.subset(range(64, 96)) },
  epochs: 3,
  batchSize: 16,
  seed: 4,
  optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 } as const,
  schedule: { type: 'constant' } as const,
  checkpointDir: 'memory',
};
const createModel = () => mlp({ hidden: [8], numClasses: 3, inputShape: shape, seed: 6 });

/** Copies of a checkpoint's tensors, as a store would keep them. */
type Stored = LoadedCheckpoint['tensors'];

/**
 * An in-memory store (as a browser application might write over IndexedDB). `write` reads the
 * tensors synchronously and returns the path, or, when `delayMs` is given, waits that long first
 * and reads them asynchronously, reporting while it is busy.
 */
function memoryStore(delayMs?: number) {
  const saved = new Map<string, LoadedCheckpoint>();
  const state = { writing: false, writes: 0 };
  const keep = (
    directory: string,
    contents: Parameters<TrainingCheckpointStore['write']>[1],
    tensors: Record<string, tf.Tensor>,
    values: (tensor: tf.Tensor) => Float32Array | Int32Array,
  ): string => {
    const stored: Stored = new Map();
    for (const [name, tensor] of Object.entries(tensors)) {
      const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
      stored.set(name, { dtype, shape: [...tensor.shape], values: values(tensor) });
    }
    const manifest = {
      format: 'geokd-checkpoint',
      version: 2,
      ...contents,
      tensors: [],
      tensorsByteLength: 0,
      tensorsSha256: '',
      manifestSha256: '',
    } as CheckpointManifest;
    saved.set(directory, { manifest: structuredClone(manifest), path: directory, tensors: stored });
    state.writes += 1;
    return directory;
  };
  const store: TrainingCheckpointStore = {
    find: (directory) => (saved.has(directory) ? directory : undefined),
    read: (path) => saved.get(path)!,
    write:
      delayMs === undefined
        ? (directory, contents, tensors) =>
            keep(directory, contents, tensors, (tensor) => Float32Array.from(tensor.dataSync()))
        : async (directory, contents, tensors) => {
            state.writing = true;
            await new Promise((resolve) => setTimeout(resolve, delayMs));
            const names = Object.keys(tensors);
            const reads = await Promise.all(names.map((name) => tensors[name]!.data()));
            const byTensor = new Map(names.map((name, i) => [tensors[name]!, reads[i]!]));
            const path = keep(directory, contents, tensors, (tensor) =>
              Float32Array.from(byTensor.get(tensor)!),
            );
            state.writing = false;
            return path;
          },
    hashConfig: configHash,
    resetMetrics: () => {},
    appendMetrics: () => {},
  };
  return { store, state };
}

async function weightsOf(model: ReturnType<typeof createModel>): Promise<number[][]> {
  return Promise.all(model.parameters.map(async (p) => Array.from(await p.variable.data())));
}

describe('TrainingCheckpointStore', () => {
  let expected: number[][];
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const reference = createModel();
    await trainTeacher({ model: reference, ...options, checkpointDir: undefined });
    expected = await weightsOf(reference);
    reference.dispose();
  });

  it.each([
    ['a synchronous store (write returns the path)', undefined],
    ['an asynchronous store (write returns a promise)', 30],
  ])('resumes from %s to the weights of an uninterrupted run', async (_kind, delayMs) => {
    const { store, state } = memoryStore(delayMs);
    let stepsDuringWrite = 0;
    const interrupted = createModel();
    const events: string[] = [];
    await trainTeacher({
      model: interrupted,
      ...options,
      checkpointStore: store,
      callbacks: {
        onBatchBegin: () => {
          if (state.writing) stepsDuringWrite += 1;
        },
        onEpochEnd: (epoch, _logs, control) => {
          if (epoch === 1) control.stop();
        },
      },
      onEvent: (event) => {
        if (event.type === 'checkpoint' || event.type === 'epoch-start') {
          events.push(`${event.type} ${event.epoch}`);
        }
      },
    });
    interrupted.dispose();
    // The trainer waited for every write: no step ran while one was in progress, and each
    // checkpoint event came after its write, before the next epoch.
    expect(stepsDuringWrite).toBe(0);
    expect(state.writes).toBe(2);
    expect(events).toEqual(['epoch-start 1', 'checkpoint 1', 'epoch-start 2', 'checkpoint 2']);

    const resumed = createModel();
    const result = await trainTeacher({
      model: resumed,
      ...options,
      checkpointStore: store,
      resume: true,
    });
    expect(result.resumedEpochs).toBe(2);
    expect(await weightsOf(resumed)).toEqual(expected);
    resumed.dispose();
  });
});
