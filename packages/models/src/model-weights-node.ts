import { InvalidArgumentError } from '@geokd/errors';
import type * as tf from '@tensorflow/tfjs-core';
import type { FeatureModel } from './feature-model';
import {
  applyModelWeights,
  checkWeightDataLength,
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

/** The largest model.json read: far above any real one, far below what would hurt. */
const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;

/**
 * Loads weights into a model from a folder written by {@link saveModelWeights} (Node only) or
 * from `tf.io.ModelArtifacts` (any platform, e.g. from {@link parseModelWeights}). Names, shapes,
 * dtypes, the byte length and that every float is finite are all checked before any variable
 * changes.
 *
 * A folder is not trusted: every weights path in `model.json` must be relative, free of `..`,
 * listed once and resolve (symbolic links followed) to a regular file inside the folder, and the
 * files' sizes must add up to what the manifest's variables need, all checked with `stat`
 * before any weights file is read (so a path to `/dev/zero`, or one file listed thousands of
 * times, is refused at once).
 *
 * @throws {@link InvalidArgumentError} naming the variable when the weights do not fit the model,
 * are truncated or hold NaN/Infinity, or naming the file when it cannot be read, leaves the
 * folder or is not a regular file.
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
  const pathName = 'node:path';
  const path = (await import(/* @vite-ignore */ pathName)) as typeof import('node:path');
  const refuse = (expected: string, received: string, cause?: unknown): InvalidArgumentError =>
    new InvalidArgumentError({
      functionName: fn,
      argument: 'dir',
      expected,
      received,
      ...(cause === undefined ? {} : { cause }),
    });
  const jsonPath = join(dirOrArtifacts, 'model.json');
  let root: string;
  let text: string;
  try {
    root = await fs.realpath(dirOrArtifacts);
    const info = await fs.stat(jsonPath);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > MAX_MODEL_JSON_BYTES) {
      throw new Error(
        `${info.size} bytes, more than the ${MAX_MODEL_JSON_BYTES} a model.json may have`,
      );
    }
    text = await fs.readFile(jsonPath, 'utf8');
  } catch (cause) {
    throw refuse(
      'a folder with a readable model.json',
      `${jsonPath}: ${(cause as Error).message}`,
      cause,
    );
  }
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(text) as tf.io.ModelJSON;
  } catch (cause) {
    throw refuse(
      'a model.json holding valid JSON',
      `${jsonPath}: ${(cause as Error).message}`,
      cause,
    );
  }
  if (
    json === null ||
    typeof json !== 'object' ||
    !Array.isArray(json.weightsManifest) ||
    !json.weightsManifest.every(
      (group) =>
        group !== null &&
        typeof group === 'object' &&
        Array.isArray(group.paths) &&
        Array.isArray(group.weights),
    )
  ) {
    throw refuse(
      'a model.json whose weightsManifest is an array of { paths, weights }',
      `${jsonPath}: ${JSON.stringify(json?.weightsManifest)?.slice(0, 80)}`,
    );
  }
  const paths = json.weightsManifest.flatMap((group) => group.paths);
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const seen = new Set<string>();
  const files: { file: string; size: number }[] = [];
  for (const entry of paths as unknown[]) {
    const listed = JSON.stringify(entry);
    if (
      typeof entry !== 'string' ||
      entry === '' ||
      path.isAbsolute(entry) ||
      entry.split(/[\\/]/).includes('..')
    ) {
      throw refuse(
        'weights paths relative to the model folder, without ..',
        `${listed} in ${jsonPath}`,
      );
    }
    if (seen.has(entry)) {
      throw refuse('each weights path listed once', `${listed} listed again in ${jsonPath}`);
    }
    seen.add(entry);
    const file = path.join(root, entry);
    let real: string;
    let size: number;
    try {
      real = await fs.realpath(file);
      const info = await fs.stat(real);
      if (!info.isFile()) throw new Error('not a regular file');
      size = info.size;
    } catch (cause) {
      throw refuse(
        `a readable weights file ${entry}`,
        `${file}: ${(cause as Error).message}`,
        cause,
      );
    }
    const inside = path.relative(root, real);
    if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
      throw refuse(
        'weights files inside the model folder',
        `${listed} in ${jsonPath} leads to ${real}`,
      );
    }
    files.push({ file: real, size });
  }
  // Sizes against the manifest before a single weights byte is read.
  checkWeightDataLength(
    specs,
    files.reduce((n, f) => n + f.size, 0),
    fn,
  );
  const total = new Uint8Array(files.reduce((n, f) => n + f.size, 0));
  let offset = 0;
  for (const { file, size } of files) {
    let handle: Awaited<ReturnType<Fs['open']>> | undefined;
    try {
      // Exactly the bytes stat promised: a file that grew meanwhile is not read further.
      handle = await fs.open(file, 'r');
      let done = 0;
      while (done < size) {
        const { bytesRead } = await handle.read(total, offset + done, size - done, done);
        if (bytesRead === 0)
          throw new Error(`ended after ${done} of ${size} bytes (file changed?)`);
        done += bytesRead;
      }
    } catch (cause) {
      throw refuse('readable weights files', `${file}: ${(cause as Error).message}`, cause);
    } finally {
      await handle?.close();
    }
    offset += size;
  }
  const artifacts = parseModelWeights(json, total.buffer);
  applyModelWeights(model, artifacts, fn);
}
