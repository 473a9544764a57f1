import '@tensorflow/tfjs-backend-cpu';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CheckpointContents,
  findCheckpoint,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint-store';

const contents = (epoch: number): CheckpointContents => ({
  configHash: 'abc',
  config: { model: 'mlp' },
  epoch,
  globalStep: epoch * 10,
  randomState: [1, 2, 3, 4],
  optimizer: { name: 'sgd', step: epoch * 10 },
  history: [{ epoch }],
  elapsedMs: 5,
});

const folders: string[] = [];
function scratch(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-checkpoint-'));
  folders.push(folder);
  return folder;
}

describe('checkpoint store', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterEach(() => {
    for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('reads back exactly the tensors and fields it wrote', () => {
    const directory = scratch();
    const tensors = {
      'model/w': tf.tensor2d([
        [1.5, -2],
        [3, 4.25],
      ]),
      'model/step': tf.scalar(7, 'int32'),
    };
    writeCheckpoint(directory, contents(2), tensors);
    const loaded = readCheckpoint(findCheckpoint(directory)!);
    expect(loaded.manifest.epoch).toBe(2);
    expect(loaded.manifest.randomState).toEqual([1, 2, 3, 4]);
    expect(Array.from(loaded.tensors.get('model/w')!.values)).toEqual([1.5, -2, 3, 4.25]);
    expect(loaded.tensors.get('model/w')!.shape).toEqual([2, 2]);
    expect(loaded.tensors.get('model/step')!.dtype).toBe('int32');
    expect(Array.from(loaded.tensors.get('model/step')!.values)).toEqual([7]);
    tf.dispose(Object.values(tensors));
  });

  it('replaces the previous checkpoint and leaves no temporary folders', () => {
    const directory = scratch();
    const tensor = { w: tf.tensor1d([1]) };
    writeCheckpoint(directory, contents(1), tensor);
    writeCheckpoint(directory, contents(2), tensor);
    expect(fs.readdirSync(directory).sort()).toEqual(['checkpoint']);
    expect(readCheckpoint(findCheckpoint(directory)!).manifest.epoch).toBe(2);
    tf.dispose(Object.values(tensor));
  });

  it('falls back to the previous checkpoint when a crash left only it', () => {
    const directory = scratch();
    const tensor = { w: tf.tensor1d([1]) };
    writeCheckpoint(directory, contents(1), tensor);
    fs.renameSync(path.join(directory, 'checkpoint'), path.join(directory, 'checkpoint.previous'));
    fs.mkdirSync(path.join(directory, 'checkpoint.tmp'));
    expect(readCheckpoint(findCheckpoint(directory)!).manifest.epoch).toBe(1);
    expect(findCheckpoint(scratch())).toBeUndefined();
    tf.dispose(Object.values(tensor));
  });

  it('rejects a truncated tensor file, a changed byte and a broken manifest with clear messages', () => {
    const directory = scratch();
    const tensor = { w: tf.tensor1d([1, 2, 3, 4]) };
    const folder = writeCheckpoint(directory, contents(1), tensor);
    const blobFile = path.join(folder, 'tensors.bin');
    const blob = fs.readFileSync(blobFile);
    fs.writeFileSync(blobFile, blob.subarray(0, 10));
    expect(() => readCheckpoint(folder)).toThrow(
      `Checkpoint at ${folder} is unreadable: tensors.bin has 10 bytes but the manifest records 16 (truncated?)`,
    );
    const flipped = Buffer.from(blob);
    flipped[3] = flipped[3]! ^ 0xff;
    fs.writeFileSync(blobFile, flipped);
    expect(() => readCheckpoint(folder)).toThrow('tensors.bin does not match its checksum');
    fs.writeFileSync(path.join(folder, 'manifest.json'), '{"format": "geokd-checkp');
    expect(() => readCheckpoint(folder)).toThrow('manifest.json is missing or not valid JSON');
    // Nothing was rewritten by the failed reads.
    expect(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8')).toBe(
      '{"format": "geokd-checkp',
    );
    tf.dispose(Object.values(tensor));
  });
});
