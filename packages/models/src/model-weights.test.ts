import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureModel } from './feature-model';
import { applyModelWeights, encodeModelWeights, parseModelWeights } from './model-weights';
import { loadModelWeights, saveModelWeights } from './model-weights-node';
import { createModel } from './registry';
import { smallCnn } from './small-cnn';

function logitsOf(model: FeatureModel, x: tf.Tensor4D): number[] {
  return tf.tidy(() => Array.from(model.apply(x).logits.dataSync()));
}

describe('saveModelWeights / loadModelWeights', () => {
  let dir: string;
  const x = tf.tidy(() => tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D);

  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
    dir = await mkdtemp(join(tmpdir(), 'geokd-models-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A trained-looking model: one training pass moves the BN statistics off their initial values. */
  function trainedModel(seed: number): FeatureModel {
    const model = smallCnn({ channels: [4, 8], seed });
    tf.tidy(() => {
      model.apply(x, { training: true });
    });
    return model;
  }

  it('round-trips through a folder with identical logits and moving statistics', async () => {
    const source = trainedModel(1);
    const target = createModel(source.config, { seed: 2 });
    expect(logitsOf(target, x)).not.toEqual(logitsOf(source, x));
    await saveModelWeights(source, join(dir, 'a'));
    expect((await readdir(join(dir, 'a'))).sort()).toEqual(['model.json', 'weights.bin']);
    await loadModelWeights(target, join(dir, 'a'));
    expect(logitsOf(target, x)).toEqual(logitsOf(source, x));
    source.parameters.forEach((p, i) => {
      expect(Array.from(target.parameters[i]?.variable.dataSync() ?? [])).toEqual(
        Array.from(p.variable.dataSync()),
      );
    });
    source.dispose();
    target.dispose();
  });

  it('replaces an existing folder and leaves no temporary folder behind', async () => {
    const first = trainedModel(3);
    const second = trainedModel(4);
    await saveModelWeights(first, join(dir, 'b'));
    await saveModelWeights(second, join(dir, 'b'));
    const names = await readdir(dir);
    expect(names.filter((n) => n.startsWith('b'))).toEqual(['b']);
    await loadModelWeights(first, join(dir, 'b'));
    expect(logitsOf(first, x)).toEqual(logitsOf(second, x));
    first.dispose();
    second.dispose();
  });

  it('loads from model.json text and an ArrayBuffer, as a browser would', async () => {
    const source = trainedModel(5);
    const target = smallCnn({ channels: [4, 8], seed: 6 });
    await saveModelWeights(source, join(dir, 'c'));
    const json = await readFile(join(dir, 'c', 'model.json'), 'utf8');
    const bin = await readFile(join(dir, 'c', 'weights.bin'));
    const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
    applyModelWeights(target, parseModelWeights(json, buffer));
    expect(logitsOf(target, x)).toEqual(logitsOf(source, x));
    source.dispose();
    target.dispose();
  });

  it('names the variable when the weights file is truncated', async () => {
    const model = trainedModel(7);
    await saveModelWeights(model, join(dir, 'd'));
    await truncate(join(dir, 'd', 'weights.bin'), 150);
    await expect(loadModelWeights(model, join(dir, 'd'))).rejects.toThrow(
      "loadModelWeights: the weight data is truncated: variable 'block1/bn/gamma' needs bytes 144–160 but the data has only 150 bytes",
    );
    model.dispose();
  });

  it('names the variable when a shape differs (weights of another model)', async () => {
    const small = smallCnn({ channels: [4, 8] });
    const other = smallCnn({ channels: [4, 6] });
    await expect(loadModelWeights(other, await encodeModelWeights(small))).rejects.toThrow(
      "loadModelWeights: variable 'block2/conv/kernel' has shape [3, 3, 4, 8] in the weights but [3, 3, 4, 6] in model 'small-cnn-4-6'",
    );
    small.dispose();
    other.dispose();
  });

  it('names a missing variable and an extra one', async () => {
    const two = smallCnn({ channels: [4, 8] });
    const three = smallCnn({ channels: [4, 8, 8] });
    await expect(loadModelWeights(three, await encodeModelWeights(two))).rejects.toThrow(
      "loadModelWeights: the weights have no variable 'block3/conv/kernel' that model 'small-cnn-4-8-8' needs",
    );
    const one = smallCnn({ channels: [4] });
    const artifacts = await encodeModelWeights(one);
    const specs = artifacts.weightSpecs ?? [];
    specs.push({ name: 'extra/bias', shape: [1], dtype: 'float32' });
    artifacts.weightData = tf.io.concatenateArrayBuffers([
      artifacts.weightData as ArrayBuffer,
      new ArrayBuffer(4),
    ]);
    await expect(loadModelWeights(one, artifacts)).rejects.toThrow(
      "loadModelWeights: weights must be only variables of model 'small-cnn-4', received an extra variable 'extra/bias'",
    );
    for (const m of [two, three, one]) m.dispose();
  });

  it('rejects data longer than the listed variables and leaves the model unchanged', async () => {
    const model = smallCnn({ channels: [4] });
    const before = logitsOf(model, x);
    const artifacts = await encodeModelWeights(smallCnn({ channels: [4], seed: 9 }));
    artifacts.weightData = tf.io.concatenateArrayBuffers([
      artifacts.weightData as ArrayBuffer,
      new ArrayBuffer(8),
    ]);
    await expect(loadModelWeights(model, artifacts)).rejects.toThrow(
      /must be \d+ bytes for the 7 variables listed/,
    );
    expect(logitsOf(model, x)).toEqual(before);
    model.dispose();
  });

  it('reports a folder with no model.json by its path', async () => {
    const model = smallCnn({ channels: [4] });
    await expect(loadModelWeights(model, join(dir, 'missing'))).rejects.toThrow(
      /loadModelWeights: dir must be a folder with a readable model\.json, received .*missing\/model\.json/,
    );
    await writeFile(join(dir, 'bad.json'), '{');
    expect(() =>
      parseModelWeights('{"format":"other","weightsManifest":[]}', new ArrayBuffer(0)),
    ).toThrow("parseModelWeights: modelJson.format must be 'geokd-weights', received other");
    model.dispose();
  });

  it('leaks no tensor over repeated loads', async () => {
    const model = smallCnn({ channels: [4] });
    const artifacts = await encodeModelWeights(model);
    applyModelWeights(model, artifacts);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) applyModelWeights(model, artifacts);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
