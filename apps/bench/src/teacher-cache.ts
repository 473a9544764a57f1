import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Dataset } from '@geokd/datasets';
import type { TeacherResult } from './results-schema';

/** Version of the cache layout; bump to invalidate every cached teacher. */
// 2: small-cnn changed architecture (flattened last block), so older small-cnn teachers are stale.
const CACHE_VERSION = 3;

/** SHA-256 of a dataset's images, labels and shape (hex). */
export function datasetHash(
  dataset: Pick<Dataset, 'images' | 'labels' | 'shape' | 'count'>,
): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ shape: dataset.shape, count: dataset.count }));
  hash.update(
    new Uint8Array(dataset.images.buffer, dataset.images.byteOffset, dataset.images.byteLength),
  );
  hash.update(
    new Uint8Array(dataset.labels.buffer, dataset.labels.byteOffset, dataset.labels.byteLength),
  );
  return hash.digest('hex');
}

/** JSON with object keys sorted, so equal configs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort())
      sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}

/** What identifies a trained teacher. */
export interface TeacherCacheKeyParts {
  /** The teacher's JSON config (rebuilds the architecture), including its name. */
  teacherConfig: unknown;
  /** Hash of the training data and of the test data. */
  dataHash: string;
  /** Epochs, batch size, optimiser, schedule, seed, augmentation, backend... */
  trainingConfig: unknown;
}

/** The cache key: SHA-256 of (teacher config, data hash, training config), 16 hex digits. */
export function teacherCacheKey(parts: TeacherCacheKeyParts): string {
  return createHash('sha256')
    .update(canonicalJson({ version: CACHE_VERSION, ...parts }))
    .digest('hex')
    .slice(0, 16);
}

/** A trained teacher in the cache: its weights folder and its recorded result. */
export interface CachedTeacher {
  /** Folder of the weights, for `loadModelWeights`. */
  weightsDir: string;
  /** The result recorded when it was trained. */
  result: TeacherResult;
}

/** Trained teachers on disk, one folder per cache key. */
export class TeacherCache {
  /** The cache's root folder. */
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Folder of the teacher with this key. */
  dirOf(key: string): string {
    return path.join(this.root, 'teachers', key);
  }

  /** The cached teacher with this key, or undefined when absent or incomplete. */
  lookup(key: string): CachedTeacher | undefined {
    const dir = this.dirOf(key);
    const metaPath = path.join(dir, 'teacher.json');
    if (!fs.existsSync(metaPath)) return undefined;
    try {
      const result = JSON.parse(fs.readFileSync(metaPath, 'utf8')) as TeacherResult;
      if (result.cacheKey !== key) return undefined;
      return { weightsDir: path.join(dir, 'weights'), result };
    } catch {
      return undefined;
    }
  }

  /**
   * Stores a teacher: `writeWeights` saves the weights into the folder it is given; the entry
   * is written to a temporary folder and renamed, so an interrupted write leaves no entry.
   */
  async store(
    key: string,
    result: TeacherResult,
    writeWeights: (weightsDir: string) => Promise<void>,
  ): Promise<CachedTeacher> {
    const dir = this.dirOf(key);
    const temporary = `${dir}.tmp-${process.pid}-${Date.now()}`;
    fs.mkdirSync(path.join(temporary, 'weights'), { recursive: true });
    try {
      await writeWeights(path.join(temporary, 'weights'));
      fs.writeFileSync(
        path.join(temporary, 'teacher.json'),
        `${JSON.stringify(result, null, 2)}\n`,
      );
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(temporary, dir);
    } catch (cause) {
      fs.rmSync(temporary, { recursive: true, force: true });
      throw cause;
    }
    return { weightsDir: path.join(dir, 'weights'), result };
  }
}
