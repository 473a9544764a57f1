import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@geokd/backend';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureModel } from './feature-model';
import { encodeModelWeights } from './model-weights';
import { loadModelWeights, saveModelWeights } from './model-weights-node';
import { smallCnn } from './small-cnn';

// WebGPU in Node (Dawn) throws on every synchronous read (`dataSync`): saving and loading must
// read asynchronously (or not at all). CI runs this on Mesa's lavapipe (software Vulkan);
// elsewhere a missing adapter skips it.
const required = process.env.CI === 'true';
let reason = '';
try {
  await initBackend({ prefer: ['webgpu'], allowSoftwareAdapter: true, quiet: true });
} catch (error) {
  reason = error instanceof Error ? error.message : String(error);
}
await tf.setBackend('cpu');
const available = reason === '';

/** Every variable's values, read asynchronously (the only read webgpu in Node allows). */
async function weightsOf(model: FeatureModel): Promise<number[][]> {
  return Promise.all(model.parameters.map(async (p) => Array.from(await p.variable.data())));
}

describe.skipIf(!available && !required)(
  `saveModelWeights / loadModelWeights on webgpu in Node${available ? '' : ` (no adapter: ${reason})`}`,
  () => {
    let dir: string;
    beforeAll(async () => {
      if (!available) throw new Error(`CI=true but webgpu is unavailable: ${reason}`);
      dir = await mkdtemp(join(tmpdir(), 'geokd-models-webgpu-'));
      await tf.setBackend('webgpu');
    });
    afterAll(async () => {
      await tf.setBackend('cpu');
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('round-trips a model with moved batch-norm statistics, and the folder loads on cpu too', async () => {
      const x = tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
      const source = smallCnn({ channels: [4, 8], seed: 1 });
      // One training-mode pass moves the moving statistics off their initial values.
      tf.tidy(() => {
        source.apply(x, { training: true });
      });
      const target = smallCnn({ channels: [4, 8], seed: 2 });
      const expected = await weightsOf(source);
      expect(await weightsOf(target)).not.toEqual(expected);

      await saveModelWeights(source, join(dir, 'a'));
      await loadModelWeights(target, join(dir, 'a'));
      expect(tf.getBackend()).toBe('webgpu');
      expect(await weightsOf(target)).toEqual(expected);
      // Same weights, same logits (to 1e-5: two forward passes on webgpu need not agree in the
      // last bit).
      const logits = async (model: FeatureModel) => {
        const tensor = tf.tidy(() => model.apply(x).logits);
        const values = await tensor.data();
        tensor.dispose();
        return values;
      };
      const [got, want] = [await logits(target), await logits(source)];
      expect(got.length).toBe(want.length);
      for (const [i, value] of want.entries()) expect(got[i]).toBeCloseTo(value, 5);

      await tf.setBackend('cpu');
      const onCpu = smallCnn({ channels: [4, 8], seed: 3 });
      await loadModelWeights(onCpu, join(dir, 'a'));
      expect(await weightsOf(onCpu)).toEqual(expected);
      onCpu.dispose();
      await tf.setBackend('webgpu');
      tf.dispose(x);
      source.dispose();
      target.dispose();
    });

    it('refuses NaN and Infinity weights, naming the variable, and leaves the model unchanged', async () => {
      const model = smallCnn({ channels: [4], seed: 1 });
      const before = await weightsOf(model);
      for (const bad of [Number.NaN, Number.NEGATIVE_INFINITY]) {
        const source = smallCnn({ channels: [4], seed: 4 });
        const kernel = source.parameters[0]!;
        const values = (await kernel.variable.data()).slice();
        values[5] = bad;
        kernel.variable.assign(tf.tensor(values, kernel.variable.shape));
        await expect(loadModelWeights(model, await encodeModelWeights(source))).rejects.toThrow(
          `loadModelWeights: variable '${kernel.name}' holds ${bad} at flat index 5`,
        );
        await saveModelWeights(source, join(dir, `bad-${bad}`));
        await expect(loadModelWeights(model, join(dir, `bad-${bad}`))).rejects.toThrow(
          'the weights are corrupt',
        );
        source.dispose();
      }
      expect(await weightsOf(model)).toEqual(before);
      model.dispose();
    });
  },
);
