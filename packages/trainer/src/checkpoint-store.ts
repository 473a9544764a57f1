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
const FORMAT_VERSION = 1;

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
  'format' | 'version' | 'tensors' | 'tensorsByteLength' | 'tensorsSha256'
>;

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

/**
 * Writes a checkpoint into `directory/checkpoint`: first into `checkpoint.tmp`, then the
 * previous checkpoint is moved aside, the new one renamed into place and only then the previous
 * one deleted, so a crash at any moment leaves one complete checkpoint.
 *
 * Reads tensor data synchronously (call outside `tf.tidy`). Returns the checkpoint's folder.
 */
export function writeCheckpoint(
  directory: string,
  contents: CheckpointContents,
  tensors: Record<string, tf.Tensor>,
): string {
  fs.mkdirSync(directory, { recursive: true });
  const entries: StoredTensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of Object.keys(tensors).sort()) {
    const tensor = tensors[name]!;
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const values = tensor.dataSync();
    const typed = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    entries.push({ name, dtype, shape: [...tensor.shape], offset, byteLength: bytes.byteLength });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const blob = Buffer.concat(chunks);
  const manifest: CheckpointManifest = {
    format: FORMAT,
    version: FORMAT_VERSION,
    ...contents,
    tensors: entries,
    tensorsByteLength: blob.byteLength,
    tensorsSha256: createHash('sha256').update(blob).digest('hex'),
  };
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
 * Reads and verifies the checkpoint in `folder` (as returned by {@link findCheckpoint}).
 *
 * @throws CheckpointError (`corrupt`) when the manifest is missing or not valid JSON, the format
 *   is unknown, `tensors.bin` is truncated or its checksum differs.
 */
export function readCheckpoint(folder: string): LoadedCheckpoint {
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(folder, MANIFEST_FILE), 'utf8'));
  } catch (cause) {
    throw corrupt(folder, `${MANIFEST_FILE} is missing or not valid JSON`, cause);
  }
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== FORMAT) {
    throw corrupt(folder, `${MANIFEST_FILE} is not a geokd checkpoint manifest`);
  }
  if (manifest.version !== FORMAT_VERSION) {
    throw corrupt(
      folder,
      `format version ${manifest.version} is not supported (expected ${FORMAT_VERSION})`,
    );
  }
  let blob: Buffer;
  try {
    blob = fs.readFileSync(path.join(folder, TENSORS_FILE));
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
    throw corrupt(folder, `${TENSORS_FILE} does not match its checksum`);
  }
  const tensors: LoadedCheckpoint['tensors'] = new Map();
  for (const entry of manifest.tensors) {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    if (entry.byteLength !== size * 4 || entry.offset + entry.byteLength > blob.byteLength) {
      throw corrupt(folder, `tensor '${entry.name}' does not fit its recorded shape`);
    }
    const bytes = blob.subarray(entry.offset, entry.offset + entry.byteLength);
    const copy = new Uint8Array(bytes).buffer;
    const values = entry.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    tensors.set(entry.name, { dtype: entry.dtype, shape: entry.shape, values });
  }
  return { manifest, path: folder, tensors };
}
