import '@tensorflow/tfjs-backend-cpu';
import { execFileSync } from 'node:child_process';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureModel } from './feature-model';
import { encodeModelWeights, parseModelWeights } from './model-weights';
import { loadModelWeights, saveModelWeights } from './model-weights-node';
import { smallCnn } from './small-cnn';

/** Crafted model folders: what a downloaded or shared weights folder could hold. */
describe('loadModelWeights on an untrusted folder', () => {
  let root: string;
  let model: FeatureModel;
  let good: string;
  let before: number[];
  const weightsOf = (m: FeatureModel) =>
    m.parameters.flatMap((p) => Array.from(p.variable.dataSync()));

  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = await mkdtemp(join(tmpdir(), 'geokd-untrusted-'));
    model = smallCnn({ channels: [4], seed: 1 });
    good = join(root, 'good');
    await saveModelWeights(smallCnn({ channels: [4], seed: 2 }), good);
    before = weightsOf(model);
  });
  afterAll(async () => {
    model.dispose();
    await rm(root, { recursive: true, force: true });
  });

  /** A copy of the good folder whose model.json lists `paths` instead of weights.bin. */
  async function crafted(name: string, paths: string[]): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    const json = JSON.parse(await readFile(join(good, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = paths;
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    return dir;
  }

  it('refuses a weights path with .. that leads out of the folder', async () => {
    const dir = await crafted('dotdot', ['../good/weights.bin']);
    await expect(loadModelWeights(model, dir)).rejects.toThrow(
      'loadModelWeights: dir must be weights paths relative to the model folder, without .., received "../good/weights.bin"',
    );
    expect(weightsOf(model)).toEqual(before);
  });

  it('refuses an absolute weights path (e.g. /dev/zero) without reading it', async () => {
    const dir = await crafted('absolute', ['/dev/zero']);
    await expect(loadModelWeights(model, dir)).rejects.toThrow('without .., received "/dev/zero"');
  });

  it('refuses a symbolic link that leaves the folder, and one to a device', async () => {
    const dir = await crafted('link', ['weights.bin']);
    await symlink(join(good, 'weights.bin'), join(dir, 'weights.bin'));
    await expect(loadModelWeights(model, dir)).rejects.toThrow(
      `dir must be weights files inside the model folder, received "weights.bin" in ${join(dir, 'model.json')} leads to ${join(good, 'weights.bin')}`,
    );
    const device = await crafted('device', ['zero.bin']);
    await symlink('/dev/zero', join(device, 'zero.bin'));
    await expect(loadModelWeights(model, device)).rejects.toThrow('not a regular file');
    expect(weightsOf(model)).toEqual(before);
  });

  it('follows a symbolic link that stays inside the folder', async () => {
    const dir = await crafted('inner-link', ['data/link.bin']);
    await mkdir(join(dir, 'data'));
    await copyFile(join(good, 'weights.bin'), join(dir, 'data', 'real.bin'));
    await symlink('real.bin', join(dir, 'data', 'link.bin'));
    const target = smallCnn({ channels: [4], seed: 3 });
    await loadModelWeights(target, dir);
    const reference = smallCnn({ channels: [4], seed: 3 });
    await loadModelWeights(reference, good);
    expect(weightsOf(target)).toEqual(weightsOf(reference));
    target.dispose();
    reference.dispose();
  });

  it('refuses a weights file listed 20,000 times before reading it', async () => {
    const dir = await crafted(
      'repeated',
      Array.from({ length: 20_000 }, () => 'weights.bin'),
    );
    await copyFile(join(good, 'weights.bin'), join(dir, 'weights.bin'));
    await expect(loadModelWeights(model, dir)).rejects.toThrow(
      'dir must be each weights path listed once, received "weights.bin" listed again',
    );
  });

  it('checks file sizes against the manifest before reading: a 4 GB sparse file and a FIFO', async () => {
    const dir = await crafted('huge', ['weights.bin']);
    await writeFile(join(dir, 'weights.bin'), '');
    // Sparse: takes no disk; reading it would need 4 GB of memory.
    await truncate(join(dir, 'weights.bin'), 4 * 1024 ** 3);
    await expect(loadModelWeights(model, dir)).rejects.toThrow(
      /loadModelWeights: weights must be \d+ bytes for the 7 variables listed, received 4294967296 bytes/,
    );
    const fifo = await crafted('fifo', ['weights.bin']);
    // Reading a FIFO nobody writes to would block forever.
    execFileSync('mkfifo', [join(fifo, 'weights.bin')]);
    await expect(loadModelWeights(model, fifo)).rejects.toThrow('not a regular file');
  });

  it('refuses a model.json that is not a regular file', async () => {
    const dir = join(root, 'json-device');
    await mkdir(dir);
    await symlink('/dev/zero', join(dir, 'model.json'));
    await expect(loadModelWeights(model, dir)).rejects.toThrow(
      /dir must be a folder with a readable model\.json, received .*model\.json: not a regular file/,
    );
  });

  it('refuses NaN and Infinity weights, naming the variable, and leaves the model unchanged', async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const source = smallCnn({ channels: [4], seed: 4 });
      const kernel = source.parameters[0]!;
      const values = kernel.variable.dataSync().slice();
      values[5] = bad;
      kernel.variable.assign(tf.tensor(values, kernel.variable.shape));
      const artifacts = await encodeModelWeights(source);
      await expect(loadModelWeights(model, artifacts)).rejects.toThrow(
        `loadModelWeights: variable '${kernel.name}' holds ${bad} at flat index 5`,
      );
      const dir = join(root, `nan-${bad}`);
      await saveModelWeights(source, dir);
      await expect(loadModelWeights(model, dir)).rejects.toThrow('the weights are corrupt');
      expect(weightsOf(model)).toEqual(before);
      source.dispose();
    }
  });

  it('finds a NaN in a float32 variable stored after a bool one (off a 4-byte boundary)', async () => {
    // The NaN check reads the weight bytes themselves; a 3-byte bool variable puts the float32
    // one after it at byte 3, which no Float32Array can view in place.
    const parameter = (name: string, variable: tf.Variable) => ({
      name,
      variable,
      trainable: false,
      weightDecay: false,
    });
    const fake = (flags: boolean[], floats: number[]): FeatureModel => {
      const parameters = [
        parameter('flags', tf.variable(tf.tensor1d(flags, 'bool'), false)),
        parameter('floats', tf.variable(tf.tensor1d(floats), false)),
      ];
      const dispose = () => {
        for (const p of parameters) p.variable.dispose();
      };
      return { name: 'fake', config: {}, parameters, dispose } as unknown as FeatureModel;
    };
    const source = fake([true, false, true], [1.5, Number.NaN, -2]);
    const artifacts = await encodeModelWeights(source);
    expect(artifacts.weightSpecs!.map((spec) => spec.dtype)).toEqual(['bool', 'float32']);
    const target = fake([false, false, false], [0, 0, 0]);
    await expect(loadModelWeights(target, artifacts)).rejects.toThrow(
      "loadModelWeights: variable 'floats' holds NaN at flat index 1",
    );
    expect(Array.from(target.parameters[1]!.variable.dataSync())).toEqual([0, 0, 0]);
    source.parameters[1]!.variable.assign(tf.tensor1d([1.5, 4, -2]));
    await loadModelWeights(target, await encodeModelWeights(source));
    expect(Array.from(target.parameters[0]!.variable.dataSync())).toEqual([1, 0, 1]);
    expect(Array.from(target.parameters[1]!.variable.dataSync())).toEqual([1.5, 4, -2]);
    source.dispose();
    target.dispose();
  });

  it('refuses a manifest entry with a null shape with a clear error', async () => {
    const dir = await crafted('null-shape', ['weights.bin']);
    await copyFile(join(good, 'weights.bin'), join(dir, 'weights.bin'));
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].weights[0].shape = null;
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadModelWeights(model, dir)).rejects.toThrow(
      "a shape of integers >= 0 and a dtype 'float32', 'int32' or 'bool', received shape null",
    );
  });

  it('refuses a weightsManifest group that is null with a clear error', async () => {
    const dir = await crafted('null-group', ['weights.bin']);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest.push(null);
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadModelWeights(model, dir)).rejects.toThrow(
      'dir must be a model.json whose weightsManifest is an array of { paths, weights }',
    );
    expect(() => parseModelWeights(json, new ArrayBuffer(0))).toThrow(
      'parseModelWeights: modelJson must be a model.json with a weightsManifest array of { paths, weights }',
    );
  });
});
