import '@tensorflow/tfjs-backend-cpu';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from './checkpoint-error';
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
  history: Array.from({ length: epoch }, (_, k) => ({ epoch: k + 1 })),
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

  it('reads back exactly the tensors and fields it wrote', async () => {
    const directory = scratch();
    const tensors = {
      'model/w': tf.tensor2d([
        [1.5, -2],
        [3, 4.25],
      ]),
      'model/step': tf.scalar(7, 'int32'),
    };
    await writeCheckpoint(directory, contents(2), tensors);
    const loaded = readCheckpoint(findCheckpoint(directory)!);
    expect(loaded.manifest.epoch).toBe(2);
    expect(loaded.manifest.randomState).toEqual([1, 2, 3, 4]);
    expect(Array.from(loaded.tensors.get('model/w')!.values)).toEqual([1.5, -2, 3, 4.25]);
    expect(loaded.tensors.get('model/w')!.shape).toEqual([2, 2]);
    expect(loaded.tensors.get('model/step')!.dtype).toBe('int32');
    expect(Array.from(loaded.tensors.get('model/step')!.values)).toEqual([7]);
    tf.dispose(Object.values(tensors));
  });

  it('writes byte for byte the files the synchronous writer of the previous release wrote', async () => {
    // The digests of tensors.bin and manifest.json as written by the dataSync-based writer
    // (format version 2) for these contents: the asynchronous reads changed nothing on disk, so
    // checkpoints written before still load and resume.
    const directory = scratch();
    const tensors = {
      'model/w': tf.tensor2d([
        [1.5, -2],
        [3, 4.25],
      ]),
      'model/step': tf.scalar(7, 'int32'),
      'model/mask': tf.tensor1d([true, false, true], 'bool'),
      'optimizer/w/velocity': tf.tensor1d([-0, 1e-30, 3.4e38]),
    };
    const folder = await writeCheckpoint(
      directory,
      {
        ...contents(2),
        config: { model: 'mlp', lr: 0.1 },
        randomState: [4294967295, 0, 7, 1, -0.3125],
        elapsedMs: 5.5,
      },
      tensors,
    );
    const digest = (file: string) =>
      createHash('sha256')
        .update(fs.readFileSync(path.join(folder, file)))
        .digest('hex');
    expect(digest('tensors.bin')).toBe(
      'b778a2458c83b9f96b5276b69b7773d70bfd34cec37fe5431025687e1c119de1',
    );
    expect(digest('manifest.json')).toBe(
      'd5921db5a9b0174243d0a95917ece734a0ffa7d172b56c3982c7e0f461aadcd2',
    );
    expect(Array.from(readCheckpoint(folder).tensors.get('model/mask')!.values)).toEqual([1, 0, 1]);
    tf.dispose(Object.values(tensors));
  });

  it('reads every tensor before touching the disk: a failed read leaves the previous checkpoint alone', async () => {
    const directory = scratch();
    const kept = { w: tf.tensor1d([1, 2]) };
    await writeCheckpoint(directory, contents(1), kept);
    const before = fs.readFileSync(path.join(directory, 'checkpoint', 'manifest.json'), 'utf8');
    const disposed = tf.tensor1d([3]);
    disposed.dispose();
    await expect(writeCheckpoint(directory, contents(2), { ...kept, z: disposed })).rejects.toThrow(
      'disposed',
    );
    expect(fs.readdirSync(directory)).toEqual(['checkpoint']);
    expect(fs.readFileSync(path.join(directory, 'checkpoint', 'manifest.json'), 'utf8')).toBe(
      before,
    );
    tf.dispose(Object.values(kept));
  });

  it('keeps a random state with a spare normal draw (five numbers) exactly', async () => {
    const directory = scratch();
    const tensor = { w: tf.tensor1d([1]) };
    await writeCheckpoint(
      directory,
      { ...contents(1), randomState: [4294967295, 0, 7, 1, -0.3125] },
      tensor,
    );
    const loaded = readCheckpoint(findCheckpoint(directory)!);
    expect(loaded.manifest.randomState).toEqual([4294967295, 0, 7, 1, -0.3125]);
    tf.dispose(Object.values(tensor));
  });

  it('replaces the previous checkpoint and leaves no temporary folders', async () => {
    const directory = scratch();
    const tensor = { w: tf.tensor1d([1]) };
    await writeCheckpoint(directory, contents(1), tensor);
    await writeCheckpoint(directory, contents(2), tensor);
    expect(fs.readdirSync(directory).sort()).toEqual(['checkpoint']);
    expect(readCheckpoint(findCheckpoint(directory)!).manifest.epoch).toBe(2);
    tf.dispose(Object.values(tensor));
  });

  it('falls back to the previous checkpoint when a crash left only it', async () => {
    const directory = scratch();
    const tensor = { w: tf.tensor1d([1]) };
    await writeCheckpoint(directory, contents(1), tensor);
    fs.renameSync(path.join(directory, 'checkpoint'), path.join(directory, 'checkpoint.previous'));
    fs.mkdirSync(path.join(directory, 'checkpoint.tmp'));
    expect(readCheckpoint(findCheckpoint(directory)!).manifest.epoch).toBe(1);
    expect(findCheckpoint(scratch())).toBeUndefined();
    tf.dispose(Object.values(tensor));
  });

  it('rejects a truncated tensor file, a changed byte and a broken manifest with clear messages', async () => {
    const directory = scratch();
    const tensor = { w: tf.tensor1d([1, 2, 3, 4]) };
    const folder = await writeCheckpoint(directory, contents(1), tensor);
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

  describe('tampering', () => {
    const manifestOf = (folder: string): Record<string, unknown> =>
      JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8'));
    const writeManifest = (folder: string, manifest: Record<string, unknown>, resign: boolean) => {
      if (resign) {
        const { manifestSha256: _old, ...rest } = manifest;
        manifest.manifestSha256 = createHash('sha256').update(JSON.stringify(rest)).digest('hex');
      }
      fs.writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(manifest, null, 1));
    };
    const fresh = async (): Promise<string> => {
      const tensors = {
        'model/w': tf.tensor1d([1.5, -2, 3, 4]),
        'model/n': tf.tensor1d([3], 'int32'),
      };
      const folder = await writeCheckpoint(scratch(), contents(2), tensors);
      tf.dispose(Object.values(tensors));
      return folder;
    };

    it.each([
      [
        'epoch',
        (m: Record<string, unknown>) => {
          m.epoch = 1;
        },
      ],
      [
        'the random state',
        (m: Record<string, unknown>) => {
          m.randomState = [1, 2, 3, 5];
        },
      ],
      [
        'an offset',
        (m: Record<string, unknown>) => {
          (m.tensors as { offset: number }[])[1]!.offset = 8;
        },
      ],
      [
        'a dtype',
        (m: Record<string, unknown>) => {
          (m.tensors as { dtype: string }[])[1]!.dtype = 'int32';
        },
      ],
      [
        'the history',
        (m: Record<string, unknown>) => {
          m.history = null;
        },
      ],
      [
        'the optimiser step',
        (m: Record<string, unknown>) => {
          (m.optimizer as { step: number }).step = 0;
        },
      ],
    ])(
      'detects an edit of %s by the manifest checksum, naming manifest.json',
      async (_what, edit) => {
        const folder = await fresh();
        const manifest = manifestOf(folder);
        edit(manifest);
        writeManifest(folder, manifest, false);
        expect(() => readCheckpoint(folder)).toThrow(CheckpointError);
        expect(() => readCheckpoint(folder)).toThrow(
          `${path.join(folder, 'manifest.json')} does not match its checksum (manifestSha256)`,
        );
      },
    );

    it.each([
      ['history', null, "field 'history' should be an array of objects but is null"],
      ['history', [{ epoch: 1 }], "field 'history' should be an array of 2 epoch records"],
      ['history', [1, 2], "field 'history' should be an array of objects"],
      ['epoch', -1, "field 'epoch' should be an integer >= 0 but is -1"],
      ['epoch', '2', "field 'epoch' should be an integer >= 0"],
      ['randomState', 1.5, "field 'randomState' should be an array of 4 unsigned 32-bit integers"],
      ['randomState', [1, 2, 3], "field 'randomState' should be an array of 4 unsigned 32-bit"],
      ['randomState', [0, 0, 0, 0], "field 'randomState' should be an array of 4 unsigned 32-bit"],
      ['randomState', [1, 2, 3, 2 ** 32], "field 'randomState' should be an array of 4 unsigned"],
      ['randomState', [1, 2, 3, -1], "field 'randomState' should be an array of 4 unsigned 32-bit"],
      ['randomState', [1, 2, 3, 4, null], "field 'randomState' should be an array of 4 unsigned"],
      ['randomState', [1, 2, 3, 4, 0.5, 1], "field 'randomState' should be an array of 4"],
      ['optimizer', null, "field 'optimizer' should be an object"],
      ['elapsedMs', null, "field 'elapsedMs' should be a finite number >= 0 but is null"],
      ['config', null, "field 'config' should be an object"],
      [
        'tensors',
        [{ name: 'model/w', dtype: 'float64', shape: [4], offset: 0, byteLength: 16 }],
        "field 'tensors[0]' should be",
      ],
    ])(
      'rejects %s = %j even when the manifest checksum was recomputed',
      async (field, value, message) => {
        const folder = await fresh();
        const manifest = manifestOf(folder);
        manifest[field] = value;
        writeManifest(folder, manifest, true);
        expect(() => readCheckpoint(folder)).toThrow(CheckpointError);
        expect(() => readCheckpoint(folder)).toThrow(message);
      },
    );

    it('rejects an offset that overlaps another tensor even when the checksum was recomputed', async () => {
      const folder = await fresh();
      const manifest = manifestOf(folder);
      (manifest.tensors as { offset: number }[])[1]!.offset = 0;
      writeManifest(folder, manifest, true);
      expect(() => readCheckpoint(folder)).toThrow('does not fit its recorded shape');
    });

    it('detects single-bit flips all over tensors.bin and manifest.json as a CheckpointError', async () => {
      const folder = await fresh();
      for (const file of ['tensors.bin', 'manifest.json']) {
        const original = fs.readFileSync(path.join(folder, file));
        // Every byte of the tensors, every 5th of the manifest (each field is several bytes long).
        for (let i = 0; i < original.length; i += file === 'tensors.bin' ? 1 : 5) {
          const flipped = Buffer.from(original);
          flipped[i] = flipped[i]! ^ 0x01;
          fs.writeFileSync(path.join(folder, file), flipped);
          let error: unknown;
          try {
            readCheckpoint(folder);
          } catch (caught) {
            error = caught;
          }
          // A flip inside JSON whitespace would change nothing the reader sees.
          const harmless =
            file === 'manifest.json' &&
            /\s/.test(String.fromCharCode(original[i]!)) &&
            /\s/.test(String.fromCharCode(flipped[i]!));
          if (!harmless) expect(error, `${file} byte ${i}`).toBeInstanceOf(CheckpointError);
        }
        fs.writeFileSync(path.join(folder, file), original);
      }
      expect(readCheckpoint(folder).manifest.epoch).toBe(2);
    });
  });
});
