import { InvalidArgumentError } from '@geokd/errors';
import type * as tf from '@tensorflow/tfjs-core';
import type { FeatureModel } from './feature-model';
import {
  applyModelWeights,
  encodeModelWeights,
  parseModelWeights,
  toModelJson,
  WEIGHTS_BIN_NAME,
} from './model-weights';

type Fs = typeof import('node:fs/promises');

/** node:fs is loaded only when these Node-only functions run, so browser bundles never see it. */
async function loadFs(): Promise<Fs> {
  const name = 'node:fs/promises';
  return (await import(/* @vite-ignore */ name)) as Fs;
}

function join(dir: string, file: string): string {
  return dir.endsWith('/') ? `${dir}${file}` : `${dir}/${file}`;
}

/**
 * Saves every variable of a model (moving statistics included) in tfjs's file layout: a folder
 * with `model.json` (weights manifest, model config) and `weights.bin`. The folder is written
 * under a temporary name next to `dir` and renamed into place, so a crash never leaves a
 * half-written folder at `dir`; an existing folder at `dir` is replaced. Node only.
 * @example
 * ```ts
 * await saveModelWeights(teacher, '.cache/teacher-wrn-16-1');
 * await loadModelWeights(createModel(teacher.config), '.cache/teacher-wrn-16-1');
 * ```
 */
export async function saveModelWeights(model: FeatureModel, dir: string): Promise<void> {
  if (typeof dir !== 'string' || dir === '') {
    throw new InvalidArgumentError({
      functionName: 'saveModelWeights',
      argument: 'dir',
      expected: 'a non-empty folder path',
      received: String(dir),
    });
  }
  const fs = await loadFs();
  const artifacts = await encodeModelWeights(model);
  const target = dir.replace(/\/+$/, '');
  const unique = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const temp = `${target}.tmp-${unique}`;
  await fs.mkdir(temp, { recursive: true });
  try {
    await fs.writeFile(
      join(temp, WEIGHTS_BIN_NAME),
      new Uint8Array(artifacts.weightData as ArrayBuffer),
    );
    await fs.writeFile(join(temp, 'model.json'), JSON.stringify(toModelJson(artifacts)));
    const old = `${target}.old-${unique}`;
    let moved = false;
    try {
      await fs.rename(target, old);
      moved = true;
    } catch {
      // no previous folder
    }
    await fs.rename(temp, target);
    if (moved) await fs.rm(old, { recursive: true, force: true });
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Loads weights into a model from a folder written by {@link saveModelWeights} (Node only) or
 * from `tf.io.ModelArtifacts` (any platform, e.g. from {@link parseModelWeights}). Names, shapes,
 * dtypes and the byte length are all checked before any variable changes.
 * @throws {@link InvalidArgumentError} naming the variable when the weights do not fit the model
 * or the file is truncated, or naming the file when it cannot be read.
 */
export async function loadModelWeights(
  model: FeatureModel,
  dirOrArtifacts: string | tf.io.ModelArtifacts,
): Promise<void> {
  const fn = 'loadModelWeights';
  if (typeof dirOrArtifacts !== 'string') {
    applyModelWeights(model, dirOrArtifacts, fn);
    return;
  }
  const fs = await loadFs();
  const jsonPath = join(dirOrArtifacts, 'model.json');
  let text: string;
  try {
    text = await fs.readFile(jsonPath, 'utf8');
  } catch (cause) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'dir',
      expected: 'a folder with a readable model.json',
      received: `${jsonPath}: ${(cause as Error).message}`,
      cause,
    });
  }
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(text) as tf.io.ModelJSON;
  } catch (cause) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'dir',
      expected: 'a model.json holding valid JSON',
      received: `${jsonPath}: ${(cause as Error).message}`,
      cause,
    });
  }
  const paths = Array.isArray(json.weightsManifest)
    ? json.weightsManifest.flatMap((group) => group.paths)
    : [];
  const buffers: ArrayBuffer[] = [];
  for (const path of paths) {
    const binPath = join(dirOrArtifacts, path);
    try {
      const bytes = await fs.readFile(binPath);
      buffers.push(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      );
    } catch (cause) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'dir',
        expected: `a readable weights file ${path}`,
        received: `${binPath}: ${(cause as Error).message}`,
        cause,
      });
    }
  }
  const total = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    total.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  const artifacts = parseModelWeights(json, total.buffer);
  applyModelWeights(model, artifacts, fn);
}
