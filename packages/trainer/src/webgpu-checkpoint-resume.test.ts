import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@geokd/backend';
import { syntheticDataset } from '@geokd/datasets';
import { smallCnn } from '@geokd/models';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from './checkpoint-store';
import { fileCheckpointStore } from './file-checkpoint-store';
import { trainTeacher } from './train-teacher';

// WebGPU in Node (Dawn) throws on every synchronous read (`dataSync`): a checkpoint writer that
// reads synchronously fails at the first epoch end there. CI runs this on Mesa's lavapipe
// (software Vulkan); elsewhere a missing adapter skips it.
const required = process.env.CI === 'true';
let reason = '';
try {
  await initBackend({ prefer: ['webgpu'], allowSoftwareAdapter: true, quiet: true });
} catch (error) {
  reason = error instanceof Error ? error.message : String(error);
}
await tf.setBackend('cpu');
const available = reason === '';

const shape: [number, number, number] = [6, 6, 1];
const all = syntheticDataset({ count: 96, numClasses: 3, shape, seed: 1 });
const range = (start: number, end: number) =>
  Array.from({ length: end - start }, (_, i) => start + i);
const options = {
  data: { train: all.subset(range(0, 64)), test: all.subset(range(64, 96)) },
  epochs: 2,
  batchSize: 16,
  seed: 3,
  // Momentum, so the optimiser's velocity slots must be checkpointed and restored too.
  optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 } as const,
  schedule: { type: 'cosine' } as const,
};
// A conv net with batch norm: its moving statistics are checkpointed beside the weights.
const createModel = () => smallCnn({ channels: [4], numClasses: 3, inputShape: shape, seed: 2 });

const folders: string[] = [];
function scratch(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-webgpu-resume-'));
  folders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

/** Every variable's values, read asynchronously (the only read webgpu in Node allows). */
async function weightsOf(model: ReturnType<typeof createModel>): Promise<Float32Array[]> {
  return Promise.all(
    model.parameters.map(async (parameter) => Float32Array.from(await parameter.variable.data())),
  );
}

/** Trains 2 epochs uninterrupted, and 1 epoch + a resumed epoch 2; returns both final weights. */
async function uninterruptedAndResumed(backend: string) {
  await tf.setBackend(backend);
  const reference = createModel();
  const interrupted = createModel();
  const resumed = createModel();
  try {
    await trainTeacher({
      model: reference,
      ...options,
      checkpointDir: scratch(),
      checkpointStore: fileCheckpointStore,
    });
    const directory = scratch();
    const first = await trainTeacher({
      model: interrupted,
      ...options,
      checkpointDir: directory,
      checkpointStore: fileCheckpointStore,
      callbacks: { onEpochEnd: (_epoch, _logs, control) => control.stop() },
    });
    const afterEpoch1 = await weightsOf(interrupted);
    const checkpoint = readCheckpoint(path.join(directory, 'checkpoint'));
    const second = await trainTeacher({
      model: resumed,
      ...options,
      checkpointDir: directory,
      checkpointStore: fileCheckpointStore,
      resume: true,
    });
    return {
      first,
      second,
      checkpoint,
      afterEpoch1,
      names: reference.parameters.map((parameter) => parameter.name),
      reference: await weightsOf(reference),
      resumed: await weightsOf(resumed),
    };
  } finally {
    reference.dispose();
    interrupted.dispose();
    resumed.dispose();
    await tf.setBackend('cpu');
  }
}

describe.skipIf(!available && !required)(
  `checkpoints and resume on webgpu in Node${available ? '' : ` (no adapter: ${reason})`}`,
  () => {
    it('writes a checkpoint after epoch 1, resumes from it and ends with the weights of an uninterrupted run', async () => {
      if (!available) throw new Error(`CI=true but webgpu is unavailable: ${reason}`);
      const gpu = await uninterruptedAndResumed('webgpu');
      expect(gpu.first.backend).toBe('webgpu');
      expect(gpu.first.stoppedEarly).toBe(true);
      expect(gpu.first.history).toHaveLength(1);
      expect(gpu.second.resumedEpochs).toBe(1);
      expect(gpu.second.history).toHaveLength(2);
      // The checkpoint holds exactly the weights the model had after epoch 1.
      expect(gpu.checkpoint.manifest.epoch).toBe(1);
      for (const [i, name] of gpu.names.entries()) {
        expect(gpu.checkpoint.tensors.get(`model/${name}`)!.values).toEqual(gpu.afterEpoch1[i]);
      }
      expect([...gpu.checkpoint.tensors.keys()].some((key) => key.startsWith('optimizer/'))).toBe(
        true,
      );
      // The same kernels in the same order on the same adapter: bit for bit.
      expect(gpu.resumed).toEqual(gpu.reference);

      // And the run itself is the cpu one (to 1e-4): the checkpoint restored everything.
      const cpu = await uninterruptedAndResumed('cpu');
      expect(cpu.resumed).toEqual(cpu.reference);
      for (const [i, name] of gpu.names.entries()) {
        const g = gpu.resumed[i]!;
        const c = cpu.reference[i]!;
        const worst = g.reduce((w, v, k) => Math.max(w, Math.abs(v - c[k]!)), 0);
        expect(worst, name).toBeLessThan(1e-4);
      }
    }, 300_000);
  },
);
