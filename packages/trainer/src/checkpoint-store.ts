import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './checkpoint-error';

/** Folder names inside a checkpoint directory. */
export const CHECKPOINT_FOLDER = 'checkpoint';
const PREVIOUS_FOLDER = 'checkpoint.previous';
const TEMPORARY_FOLDER = 'checkpoint.tmp';
const MANIFEST_FILE = 'manifest.json';
const TENSORS_FILE = 'tensors.bin';
const FORMAT = 'geokd-checkpoint';
/** Version 2 added `manifestSha256` (a checksum over the manifest itself). */
const FORMAT_VERSION = 2;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Where a tensor lies in `tensors.bin`. */
export interface StoredTensorEntry {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
  byteLength: number;
}

/** The JSON part of a checkpoint. */
export interface CheckpointManifest {
  format: typeof FORMAT;
  version: number;
  /** SHA-256 of the run's configuration. */
  configHash: string;
  /** The configuration itself, to say what differs on a mismatch. */
  config: Record<string, unknown>;
  /** Epochs completed. */
  epoch: number;
  /** Optimiser updates completed. */
  globalStep: number;
  /** State of the trainer's seeded generator (`SeededRandom.getState()` of `@geokd/core`). */
  randomState: number[];
  /** Optimiser name and step counter. */
  optimizer: { name: string; step: number };
  /** Metrics of the completed epochs. */
  history: unknown[];
  /** Wall time spent before this checkpoint, in milliseconds. */
  elapsedMs: number;
  tensors: StoredTensorEntry[];
  tensorsByteLength: number;
  /** SHA-256 of `tensors.bin`. */
  tensorsSha256: string;
  /**
   * SHA-256 of this manifest's JSON with this field left out (keys in file order), so an edit
   * of any field (epoch, random state, an offset, a dtype, the history) is detected; with
   * `tensorsSha256` it covers the whole checkpoint.
   */
  manifestSha256: string;
}

/** A checkpoint read back: the manifest and each tensor's values. */
export interface LoadedCheckpoint {
  manifest: CheckpointManifest;
  /** The folder it was read from. */
  path: string;
  tensors: Map<
    string,
    { dtype: 'float32' | 'int32'; shape: number[]; values: Float32Array | Int32Array }
  >;
}

/** The manifest fields the caller provides (the store fills in the tensor table). */
export type CheckpointContents = Omit<
  CheckpointManifest,
  'format' | 'version' | 'tensors' | 'tensorsByteLength' | 'tensorsSha256' | 'manifestSha256'
>;

/** SHA-256 of a manifest's JSON without its `manifestSha256` field. */
function manifestDigest(manifest: Record<string, unknown>): string {
  const { manifestSha256: _ignored, ...rest } = manifest;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

function writeFileDurably(file: string, data: Uint8Array | string): void {
  const fd = fs.openSync(file, 'w');
  try {
    if (typeof data === 'string') fs.writeSync(fd, data);
    else fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The bytes `tensors.bin` holds for one tensor's values: float32 (int32 for int32 tensors). */
function storedBytes(values: tf.TypedArray, dtype: StoredTensorEntry['dtype']): Uint8Array {
  // A float32 or int32 tensor's read already has the stored type: it is used as is (on cpu it is
  // the backend's own array, which Buffer.concat copies before anything can change it); only
  // other dtypes (bool) are converted.
  const typed =
    dtype === 'int32'
      ? values instanceof Int32Array
        ? values
        : Int32Array.from(values)
      : values instanceof Float32Array
        ? values
        : Float32Array.from(values);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/**
 * Writes a checkpoint into `directory/checkpoint`: first into `checkpoint.tmp`, then the
 * previous checkpoint is moved aside, the new one renamed into place and only then the previous
 * one deleted, so a crash at any moment leaves one complete checkpoint.
 *
 * Reads the tensors asynchronously (`tensor.data()`, all reads issued before any is awaited),
 * so it works on every backend, WebGPU in Node included (where `dataSync` throws). The tensors
 * must stay alive and unchanged until the returned promise settles; nothing is written to disk
 * before every read has completed.
 *
 * @returns the checkpoint's folder.
 */
export async function writeCheckpoint(
  directory: string,
  contents: CheckpointContents,
  tensors: Record<string, tf.Tensor>,
): Promise<string> {
  const names = Object.keys(tensors).sort();
  const reads = await Promise.all(names.map((name) => tensors[name]!.data()));
  fs.mkdirSync(directory, { recursive: true });
  const entries: StoredTensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [i, name] of names.entries()) {
    const tensor = tensors[name]!;
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const bytes = storedBytes(reads[i]!, dtype);
    entries.push({ name, dtype, shape: [...tensor.shape], offset, byteLength: bytes.byteLength });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const blob = Buffer.concat(chunks);
  const unsigned = {
    format: FORMAT,
    version: FORMAT_VERSION,
    ...contents,
    tensors: entries,
    tensorsByteLength: blob.byteLength,
    tensorsSha256: createHash('sha256').update(blob).digest('hex'),
  };
  // Serialised and parsed once so the digest is taken over exactly what a reader will parse
  // (e.g. `undefined` fields dropped, -0 written as 0).
  const parsed = JSON.parse(JSON.stringify(unsigned)) as Record<string, unknown>;
  const manifest = { ...parsed, manifestSha256: manifestDigest(parsed) };
  const temporary = path.join(directory, TEMPORARY_FOLDER);
  const current = path.join(directory, CHECKPOINT_FOLDER);
  const previous = path.join(directory, PREVIOUS_FOLDER);
  fs.rmSync(temporary, { recursive: true, force: true });
  fs.mkdirSync(temporary);
  writeFileDurably(path.join(temporary, TENSORS_FILE), blob);
  writeFileDurably(path.join(temporary, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
  if (fs.existsSync(current)) {
    // A previous folder left by a crash is older than `current`: replace it.
    fs.rmSync(previous, { recursive: true, force: true });
    fs.renameSync(current, previous);
  }
  fs.renameSync(temporary, current);
  fs.rmSync(previous, { recursive: true, force: true });
  return current;
}

/**
 * The folder of the last complete checkpoint in `directory`, or `undefined` when there is none.
 * When a crash happened between moving the old checkpoint aside and renaming the new one,
 * the old one (`checkpoint.previous`) is the last complete checkpoint.
 */
export function findCheckpoint(directory: string): string | undefined {
  const current = path.join(directory, CHECKPOINT_FOLDER);
  if (fs.existsSync(current)) return current;
  const previous = path.join(directory, PREVIOUS_FOLDER);
  if (fs.existsSync(previous)) return previous;
  return undefined;
}

function corrupt(folder: string, detail: string, cause?: unknown): CheckpointError {
  return new CheckpointError({
    reason: 'corrupt',
    path: folder,
    message: `Checkpoint at ${folder} is unreadable: ${detail}. It was left untouched; delete it or pass another checkpointDir`,
    cause,
  });
}

/**
 * Reads and verifies the checkpoint in `folder` (as returned by {@link findCheckpoint}):
 * the manifest's own checksum, every field's type and range, the size and checksum of
 * `tensors.bin`, and that each tensor fits its recorded dtype, shape and offset. Nothing in the
 * folder is changed.
 *
 * @throws CheckpointError (`corrupt`) naming the file and what failed: the manifest is missing,
 *   not valid JSON, of an unknown format or version, edited (checksum mismatch) or holds a field
 *   of the wrong type; `tensors.bin` is missing, truncated or differs from its checksum; a tensor
 *   does not fit its recorded shape.
 */
export function readCheckpoint(folder: string): LoadedCheckpoint {
  const manifestPath = path.join(folder, MANIFEST_FILE);
  const tensorsPath = path.join(folder, TENSORS_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (cause) {
    throw corrupt(folder, `${MANIFEST_FILE} is missing or not valid JSON`, cause);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw corrupt(folder, `${MANIFEST_FILE} is not a geokd checkpoint manifest`);
  }
  const record = raw as Record<string, unknown>;
  if (record.format !== FORMAT) {
    throw corrupt(folder, `${MANIFEST_FILE} is not a geokd checkpoint manifest`);
  }
  if (record.version !== FORMAT_VERSION) {
    throw corrupt(
      folder,
      `format version ${String(record.version)} is not supported (expected ${FORMAT_VERSION}; a checkpoint written by an older geokd cannot be verified)`,
    );
  }
  if (typeof record.manifestSha256 !== 'string' || !SHA256_HEX.test(record.manifestSha256)) {
    throw corrupt(folder, `${manifestPath} has no valid manifestSha256 field`);
  }
  if (manifestDigest(record) !== record.manifestSha256) {
    throw corrupt(
      folder,
      `${manifestPath} does not match its checksum (manifestSha256): it was edited or damaged`,
    );
  }
  const manifest = validateManifest(record, manifestPath, folder);
  let blob: Buffer;
  try {
    blob = fs.readFileSync(tensorsPath);
  } catch (cause) {
    throw corrupt(folder, `${TENSORS_FILE} is missing`, cause);
  }
  if (blob.byteLength !== manifest.tensorsByteLength) {
    throw corrupt(
      folder,
      `${TENSORS_FILE} has ${blob.byteLength} bytes but the manifest records ${manifest.tensorsByteLength} (truncated?)`,
    );
  }
  const digest = createHash('sha256').update(blob).digest('hex');
  if (digest !== manifest.tensorsSha256) {
    throw corrupt(folder, `${TENSORS_FILE} does not match its checksum (${tensorsPath})`);
  }
  const tensors: LoadedCheckpoint['tensors'] = new Map();
  let expectedOffset = 0;
  for (const entry of manifest.tensors) {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    if (
      entry.byteLength !== size * 4 ||
      entry.offset !== expectedOffset ||
      entry.offset + entry.byteLength > blob.byteLength
    ) {
      throw corrupt(folder, `tensor '${entry.name}' does not fit its recorded shape`);
    }
    expectedOffset += entry.byteLength;
    const bytes = blob.subarray(entry.offset, entry.offset + entry.byteLength);
    const copy = new Uint8Array(bytes).buffer;
    const values = entry.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    tensors.set(entry.name, { dtype: entry.dtype, shape: entry.shape, values });
  }
  if (expectedOffset !== blob.byteLength) {
    throw corrupt(folder, `the tensors listed in ${MANIFEST_FILE} do not cover ${TENSORS_FILE}`);
  }
  return { manifest, path: folder, tensors };
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

const isUint32 = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;

/**
 * The shape of `SeededRandom.getState()` (xoshiro128**): four 32-bit words, not all zero (a
 * generator stuck at zero), then optionally the spare normal draw.
 */
function isRandomState(value: unknown): value is number[] {
  if (!Array.isArray(value) || (value.length !== 4 && value.length !== 5)) return false;
  const words = value.slice(0, 4);
  if (!words.every(isUint32) || words.every((word) => word === 0)) return false;
  return value.length === 4 || (typeof value[4] === 'number' && Number.isFinite(value[4]));
}

/**
 * Checks every field's type and range (the checksum proves the manifest is the one written,
 * not that its writer was sound; a manifest written by a buggy or hostile tool must still not
 * reach the trainer as `null`).
 */
function validateManifest(
  record: Record<string, unknown>,
  manifestPath: string,
  folder: string,
): CheckpointManifest {
  const bad = (field: string, expected: string): CheckpointError =>
    corrupt(
      folder,
      `${manifestPath}: field '${field}' should be ${expected} but is ${JSON.stringify(record[field.split(/[.[]/)[0] as string])?.slice(0, 60) ?? 'missing'}`,
    );
  if (typeof record.configHash !== 'string') throw bad('configHash', 'a string');
  if (record.config === null || typeof record.config !== 'object' || Array.isArray(record.config)) {
    throw bad('config', 'an object');
  }
  for (const field of ['epoch', 'globalStep', 'tensorsByteLength'] as const) {
    if (!isCount(record[field])) throw bad(field, 'an integer >= 0');
  }
  if (!isRandomState(record.randomState)) {
    throw bad(
      'randomState',
      'an array of 4 unsigned 32-bit integers (not all zero), optionally a fifth finite number',
    );
  }
  const optimizer = record.optimizer as { name?: unknown; step?: unknown } | null;
  if (
    optimizer === null ||
    typeof optimizer !== 'object' ||
    typeof optimizer.name !== 'string' ||
    !isCount(optimizer.step)
  ) {
    throw bad('optimizer', 'an object { name: string, step: integer >= 0 }');
  }
  if (
    !Array.isArray(record.history) ||
    record.history.some((item) => item === null || typeof item !== 'object' || Array.isArray(item))
  ) {
    throw bad('history', 'an array of objects');
  }
  if (record.history.length !== record.epoch) {
    throw bad(
      'history',
      `an array of ${String(record.epoch)} epoch records (one per completed epoch)`,
    );
  }
  if (
    typeof record.elapsedMs !== 'number' ||
    !Number.isFinite(record.elapsedMs) ||
    record.elapsedMs < 0
  ) {
    throw bad('elapsedMs', 'a finite number >= 0');
  }
  if (typeof record.tensorsSha256 !== 'string' || !SHA256_HEX.test(record.tensorsSha256)) {
    throw bad('tensorsSha256', 'a SHA-256 hex digest');
  }
  if (!Array.isArray(record.tensors)) throw bad('tensors', 'an array');
  const names = new Set<string>();
  for (const [i, entry] of (record.tensors as unknown[]).entries()) {
    const e = entry as Partial<StoredTensorEntry> | null;
    if (
      e === null ||
      typeof e !== 'object' ||
      typeof e.name !== 'string' ||
      names.has(e.name) ||
      (e.dtype !== 'float32' && e.dtype !== 'int32') ||
      !Array.isArray(e.shape) ||
      !e.shape.every(isCount) ||
      !isCount(e.offset) ||
      !isCount(e.byteLength)
    ) {
      throw bad(
        `tensors[${i}]`,
        "a unique { name, dtype: 'float32' | 'int32', shape: integers >= 0, offset, byteLength }",
      );
    }
    names.add(e.name);
  }
  return record as unknown as CheckpointManifest;
}
