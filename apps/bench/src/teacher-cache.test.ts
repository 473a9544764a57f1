import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TeacherResult } from './results-schema';
import { canonicalJson, datasetHash, TeacherCache, teacherCacheKey } from './teacher-cache';

const dataset = (pixel: number) => ({
  images: new Float32Array([0, pixel, 1, 0.5]),
  labels: new Int32Array([0, 1]),
  shape: [1, 2, 1] as [number, number, number],
  count: 2,
});

const teacherResult = (cacheKey: string): TeacherResult => ({
  model: 'small-cnn',
  config: {},
  params: 10,
  macs: 20,
  accuracy: 0.9,
  loss: 0.3,
  durationMs: 5,
  cached: false,
  cacheKey,
  history: [],
});

describe('teacher cache key', () => {
  it('changes with the data, the teacher config and the training config', () => {
    const parts = {
      teacherConfig: { name: 'a', width: 1 },
      dataHash: datasetHash(dataset(0.25)),
      trainingConfig: { epochs: 2 },
    };
    const key = teacherCacheKey(parts);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(teacherCacheKey({ ...parts, dataHash: datasetHash(dataset(0.5)) })).not.toBe(key);
    expect(teacherCacheKey({ ...parts, teacherConfig: { name: 'a', width: 2 } })).not.toBe(key);
    expect(teacherCacheKey({ ...parts, trainingConfig: { epochs: 3 } })).not.toBe(key);
  });

  it('ignores the key order of the configs', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } })).toBe(
      '{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}',
    );
    const a = teacherCacheKey({ teacherConfig: { x: 1, y: 2 }, dataHash: 'h', trainingConfig: {} });
    const b = teacherCacheKey({ teacherConfig: { y: 2, x: 1 }, dataHash: 'h', trainingConfig: {} });
    expect(a).toBe(b);
  });
});

describe('TeacherCache', () => {
  it('finds nothing before storing and the stored teacher after', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-cache-'));
    const cache = new TeacherCache(root);
    expect(cache.lookup('0123456789abcdef')).toBeUndefined();
    await cache.store('0123456789abcdef', teacherResult('0123456789abcdef'), async (dir) => {
      fs.writeFileSync(path.join(dir, 'weights.bin'), 'w');
    });
    const hit = cache.lookup('0123456789abcdef');
    expect(hit?.result.accuracy).toBe(0.9);
    expect(fs.readFileSync(path.join(hit!.weightsDir, 'weights.bin'), 'utf8')).toBe('w');
    fs.rmSync(root, { recursive: true });
  });

  it('leaves no entry when writing the weights fails', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-cache-'));
    const cache = new TeacherCache(root);
    await expect(
      cache.store('feedfeedfeedfeed', teacherResult('feedfeedfeedfeed'), async () => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(cache.lookup('feedfeedfeedfeed')).toBeUndefined();
    expect(fs.readdirSync(path.join(root, 'teachers'))).toEqual([]);
    fs.rmSync(root, { recursive: true });
  });

  describe('a damaged entry is not used', () => {
    const key = 'abcdefabcdefabcd';
    async function stored(): Promise<{ cache: TeacherCache; dir: string; root: string }> {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-cache-'));
      const cache = new TeacherCache(root);
      await cache.store(key, teacherResult(key), async (dir) => {
        fs.writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(64).fill(3));
        fs.writeFileSync(path.join(dir, 'model.json'), '{"format":"geokd-weights"}');
      });
      return { cache, dir: cache.dirOf(key), root };
    }

    it.each([
      [
        'a flipped byte in the weights',
        (dir: string) => {
          const file = path.join(dir, 'weights', 'weights.bin');
          const bytes = fs.readFileSync(file);
          bytes[10] = (bytes[10] as number) ^ 1;
          fs.writeFileSync(file, bytes);
        },
        'weights/weights.bin',
      ],
      [
        'truncated weights',
        (dir: string) => fs.truncateSync(path.join(dir, 'weights', 'weights.bin'), 8),
        'weights/weights.bin',
      ],
      [
        'a missing model.json',
        (dir: string) => fs.rmSync(path.join(dir, 'weights', 'model.json')),
        'weights/model.json',
      ],
      [
        'an added file',
        (dir: string) => fs.writeFileSync(path.join(dir, 'weights', 'extra.bin'), 'x'),
        'weights/extra.bin',
      ],
      [
        'an edited accuracy',
        (dir: string) => {
          const file = path.join(dir, 'teacher.json');
          fs.writeFileSync(
            file,
            fs.readFileSync(file, 'utf8').replace('"accuracy": 0.9', '"accuracy": 0.99'),
          );
        },
        'teacher.json',
      ],
      [
        'no integrity record (an entry of an older layout)',
        (dir: string) => fs.rmSync(path.join(dir, 'integrity.json')),
        'integrity.json',
      ],
    ])('rejects %s and says why', async (_name, damage, named) => {
      const { cache, dir, root } = await stored();
      expect(cache.lookup(key)?.result.accuracy).toBe(0.9);
      damage(dir);
      const problems: string[] = [];
      expect(cache.lookup(key, (message) => problems.push(message))).toBeUndefined();
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`teacher cache entry ${dir} is unusable`);
      expect(problems[0]).toContain(named);
      fs.rmSync(root, { recursive: true });
    });

    it('rejects a stored result with a NaN or missing accuracy even when the files are intact', async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-cache-'));
      const cache = new TeacherCache(root);
      for (const accuracy of [Number.NaN, undefined, 1.5]) {
        const result = { ...teacherResult(key), accuracy } as unknown as TeacherResult;
        await cache.store(key, result, async () => undefined);
        const problems: string[] = [];
        expect(cache.lookup(key, (message) => problems.push(message))).toBeUndefined();
        expect(problems[0]).toContain('expected a number in [0, 1]');
      }
      fs.rmSync(root, { recursive: true });
    });
  });
});
