import './register-gradients';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countStepKernels, type GpuStepRow, runGpuStepBenchmark } from './gpu-step-benchmark';

describe('countStepKernels', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('counts the kernels that compute, not Identity, Reshape or a cast to the same dtype', async () => {
    const a = tf.tensor1d([1, 2, 3, 4]);
    const counts = await countStepKernels(async () => {
      const out = tf.tidy(() => {
        const b = tf.add(a, a); // Add
        const c = tf.reshape(b, [2, 2]); // Reshape: free
        const d = tf.cast(c, 'float32'); // same dtype: free
        const e = tf.cast(d, 'int32'); // Cast
        return tf.sum(e); // Sum
      });
      await out.data();
      out.dispose();
    });
    expect(counts.kernels).toBe(3);
    // No GPU programs on cpu.
    expect(counts.programs).toBeUndefined();
    a.dispose();
  });

  it('puts the engine back even when the step throws', async () => {
    const engine = tf.engine() as unknown as { runKernel: unknown };
    const before = engine.runKernel;
    await expect(
      countStepKernels(async () => {
        throw new Error('step failed');
      }),
    ).rejects.toThrow('step failed');
    expect(engine.runKernel).toBe(before);
  });
});

describe('runGpuStepBenchmark', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it("times geokd's GKD step and an inference pass once per case on a non-webgpu backend, leaking nothing", async () => {
    const before = tf.memory().numTensors;
    const seen: GpuStepRow[] = [];
    const rows = await runGpuStepBenchmark({
      cases: [
        {
          label: 'gkd',
          mode: 'train',
          model: 'wrn-10-0.5',
          teacher: 'wrn-10-1',
          method: 'gkd-dense',
          batchSize: 2,
          taps: ['stage1', 'stage2', 'pool'],
          lossWeights: { gkd: 25 },
        },
        { label: 'eval', mode: 'inference', model: 'wrn-10-0.5', batchSize: 2 },
        {
          label: 'bad',
          mode: 'train',
          model: 'wrn-10-0.5',
          method: 'no-such-method',
          batchSize: 2,
        },
      ],
      steps: 1,
      warmup: 0,
      onRow: (row) => seen.push(row),
    });
    expect(seen).toEqual(rows);
    expect(rows.map((row) => [row.label, row.kernels])).toEqual([
      ['gkd', 'backend'],
      ['eval', 'backend'],
      ['bad', 'backend'],
    ]);
    const [gkd, evaluation, bad] = rows;
    expect(gkd!.error).toBeUndefined();
    expect(gkd!.msPerStep).toBeGreaterThan(0);
    expect(Number.isFinite(gkd!.loss)).toBe(true);
    // The GKD step runs the teacher's forward, the student's forward and backward and the loss:
    // far more kernels than the student's inference pass alone.
    expect(gkd!.kernelsPerStep).toBeGreaterThan(2 * evaluation!.kernelsPerStep!);
    expect(evaluation!.loss).toBeUndefined();
    expect(evaluation!.kernelsPerStep).toBeGreaterThan(10);
    expect(bad!.error).toMatch(/no-such-method/);
    expect(Number.isNaN(bad!.msPerStep)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
