import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Dataset } from '@geokd/datasets';
import type { TeacherResult } from './results-schema';

/** Version of the cache layout; bump to invalidate every cached teacher. */
// 2: small-cnn changed architecture (flattened last block), so older small-cnn teachers are stale.
// 3: entries carry integrity.json (sizes and SHA-256 of every file), checked on each lookup.
// 4: the default preset's CNN teacher, and initial weights from @geokd/core's generator.
const CACHE_VERSION = 4;

/** Name of the file listing the size and SHA-256 of every other file of an entry. */
const INTEGRITY_FILE = 'integrity.json';

/** Size and SHA-256 of every file under `dir`, by path relative to it ('/'-separated). */
function describeFiles(dir: string): Record<string, { size: number; sha256: string }> {
  const files: Record<string, { size: number; sha256: string }> = {};
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const name = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(name);
      else if (name !== INTEGRITY_FILE) {
        const bytes = fs.readFileSync(path.join(dir, name));
        files[name] = {
          size: bytes.byteLength,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        };
      }
    }
  };
  walk('');
  return files;
}

/** Why a stored teacher result is unusable, or undefined when it is sound. */
function resultProblem(result: unknown, key: string): string | undefined {
  const r = result as Partial<TeacherResult> | null;
  if (r === null || typeof r !== 'object') return 'teacher.json is not an object';
  if (r.cacheKey !== key) return `teacher.json is for key ${String(r.cacheKey)}`;
  if (typeof r.model !== 'string') return 'teacher.json has no model name';
  if (typeof r.accuracy !== 'number' || !(r.accuracy >= 0 && r.accuracy <= 1)) {
    return `teacher.json has accuracy ${String(r.accuracy)}, expected a number in [0, 1]`;
  }
  if (typeof r.loss !== 'number' || !Number.isFinite(r.loss)) {
    return `teacher.json has loss ${String(r.loss)}, expected a finite number`;
  }
  if (!Array.isArray(r.history)) return 'teacher.json has no history array';
  return undefined;
}

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

  /**
   * The cached teacher with this key, or undefined when absent, incomplete or damaged: every
   * file of the entry must match the size and SHA-256 recorded in its `integrity.json` (no file
   * missing, none added) and `teacher.json` must hold a sound result, so a corrupt entry is
   * trained again instead of reporting a cached accuracy and failing later. `onProblem` hears
   * why an existing entry was rejected.
   */
  lookup(key: string, onProblem?: (message: string) => void): CachedTeacher | undefined {
    const dir = this.dirOf(key);
    const metaPath = path.join(dir, 'teacher.json');
    if (!fs.existsSync(metaPath)) return undefined;
    const reject = (problem: string): undefined => {
      onProblem?.(
        `teacher cache entry ${dir} is unusable (${problem}); the teacher is trained again`,
      );
      return undefined;
    };
    try {
      const recorded = JSON.parse(fs.readFileSync(path.join(dir, INTEGRITY_FILE), 'utf8')) as {
        files?: unknown;
      };
      const actual = describeFiles(dir);
      if (canonicalJson(recorded.files) !== canonicalJson(actual)) {
        const expected = (recorded.files ?? {}) as Record<string, unknown>;
        const changed = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].filter(
          (name) => canonicalJson(expected[name]) !== canonicalJson(actual[name]),
        );
        return reject(`files changed, missing or added: ${changed.join(', ') || 'integrity.json'}`);
      }
      const result = JSON.parse(fs.readFileSync(metaPath, 'utf8')) as TeacherResult;
      const problem = resultProblem(result, key);
      if (problem !== undefined) return reject(problem);
      return { weightsDir: path.join(dir, 'weights'), result };
    } catch (cause) {
      return reject((cause as Error).message);
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
      fs.writeFileSync(
        path.join(temporary, INTEGRITY_FILE),
        `${JSON.stringify({ files: describeFiles(temporary) }, null, 1)}\n`,
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
