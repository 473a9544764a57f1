import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileChecksum } from './dataset-sources';
import { loadCifar10, loadCifar100 } from './load-cifar';
import { loadFashionMnist, loadMnist } from './load-mnist-idx';
import {
  buildIdx,
  cifarRecord,
  concatBytes,
  type ServedFile,
  startFileServer,
} from './test-fixtures';

const md5 = (bytes: Uint8Array): FileChecksum => ({
  algorithm: 'md5',
  digest: createHash('md5').update(bytes).digest('hex'),
});

async function tarGz(files: Record<string, Uint8Array | string>): Promise<Uint8Array> {
  const pack = tarStream.pack();
  for (const [name, content] of Object.entries(files))
    pack.entry({ name }, Buffer.from(content as Uint8Array));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

/** Tiny MNIST-like IDX files: n images 2×3, pixel = 10*i + p, label = i mod 10. */
function idxFiles(trainCount: number, testCount: number) {
  const images = (n: number) =>
    gzipSync(
      buildIdx(
        0x08,
        [n, 2, 3],
        Array.from({ length: n * 6 }, (_, k) => 10 * Math.floor(k / 6) + (k % 6)),
      ),
    );
  const labels = (n: number) =>
    gzipSync(
      buildIdx(
        0x08,
        [n],
        Array.from({ length: n }, (_, i) => i % 10),
      ),
    );
  return {
    'train-images-idx3-ubyte.gz': images(trainCount),
    'train-labels-idx1-ubyte.gz': labels(trainCount),
    't10k-images-idx3-ubyte.gz': images(testCount),
    't10k-labels-idx1-ubyte.gz': labels(testCount),
  } as Record<string, Uint8Array>;
}

describe('file-based loaders through the download path (local server on 127.0.0.1)', () => {
  let cacheDir: string;
  let server: Awaited<ReturnType<typeof startFileServer>> | undefined;
  beforeEach(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'geokd-cache-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('loadMnist downloads gzip IDX files, verifies them, caches them and parses them', async () => {
    const files = idxFiles(12, 5);
    server = await startFileServer(
      Object.fromEntries(Object.entries(files).map(([k, v]) => [k, { body: v } as ServedFile])),
    );
    const checksums = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, md5(v)]));
    const { train, test } = await loadMnist({ cacheDir, baseUrl: server.baseUrl, checksums });
    expect(train.count).toBe(12);
    expect(test.count).toBe(5);
    expect(train.shape).toEqual([2, 3, 1]);
    expect([...train.images.subarray(6, 12)]).toEqual([10, 11, 12, 13, 14, 15]);
    expect([...test.labels]).toEqual([0, 1, 2, 3, 4]);
    expect(readdirSync(join(cacheDir, 'mnist')).sort()).toEqual(
      Object.keys(files)
        .flatMap((name) => [name, `${name}.integrity.json`])
        .sort(),
    );
    // A second load reads the cache: no new request.
    const before = server.requests.length;
    await loadMnist({ cacheDir, baseUrl: server.baseUrl, checksums });
    expect(server.requests.length).toBe(before);
  });

  it('loadFashionMnist uses GEOKD_CACHE_DIR and rejects a corrupted download without caching it', async () => {
    const files = idxFiles(4, 2);
    const tampered = {
      ...files,
      't10k-labels-idx1-ubyte.gz': gzipSync(buildIdx(0x08, [2], [9, 9])),
    };
    server = await startFileServer(
      Object.fromEntries(Object.entries(tampered).map(([k, v]) => [k, { body: v } as ServedFile])),
    );
    const checksums = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, md5(v)]));
    process.env.GEOKD_CACHE_DIR = cacheDir;
    try {
      await expect(loadFashionMnist({ baseUrl: server.baseUrl, checksums })).rejects.toThrow(
        't10k-labels-idx1-ubyte.gz: md5 checksum mismatch',
      );
    } finally {
      delete process.env.GEOKD_CACHE_DIR;
    }
    expect(readdirSync(join(cacheDir, 'fashion-mnist')).sort()).toEqual([
      't10k-images-idx3-ubyte.gz',
      't10k-images-idx3-ubyte.gz.integrity.json',
      'train-images-idx3-ubyte.gz',
      'train-images-idx3-ubyte.gz.integrity.json',
      'train-labels-idx1-ubyte.gz',
      'train-labels-idx1-ubyte.gz.integrity.json',
    ]);
  });

  it('loadMnist names the file when a label is out of range', async () => {
    const files = {
      ...idxFiles(3, 2),
      't10k-labels-idx1-ubyte.gz': gzipSync(buildIdx(0x08, [2], [1, 12])),
    };
    const dataDir = mkdtempSync(join(tmpdir(), 'geokd-data-'));
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dataDir, name), bytes);
    await expect(loadMnist({ dataDir })).rejects.toThrow(
      `${join(dataDir, 't10k-labels-idx1-ubyte.gz')}: label 12 at index 1 out of range [0, 10)`,
    );
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loadCifar10 reads a tar.gz archive into NHWC images with the right channel order', async () => {
    const batch = (offset: number, n: number) =>
      concatBytes(
        Array.from({ length: n }, (_, r) =>
          cifarRecord([(offset + r) % 10], (p, c) =>
            c === 0 ? (offset + r) % 256 : c === 1 ? p % 256 : 255 - (p % 256),
          ),
        ),
      );
    const archive = await tarGz({
      'cifar-10-batches-bin/data_batch_1.bin': batch(0, 2),
      'cifar-10-batches-bin/data_batch_2.bin': batch(2, 2),
      'cifar-10-batches-bin/data_batch_3.bin': batch(4, 2),
      'cifar-10-batches-bin/data_batch_4.bin': batch(6, 2),
      'cifar-10-batches-bin/data_batch_5.bin': batch(8, 2),
      'cifar-10-batches-bin/test_batch.bin': batch(10, 2),
      'cifar-10-batches-bin/batches.meta.txt': 'airplane\n',
    });
    server = await startFileServer({ 'cifar-10-binary.tar.gz': { body: archive, cutAfter: 1000 } });
    const progress: number[] = [];
    const { train, test } = await loadCifar10({
      cacheDir,
      baseUrl: server.baseUrl,
      checksums: { 'cifar-10-binary.tar.gz': md5(archive) },
      onProgress: (p) => progress.push(p.bytesDone),
    });
    expect(progress.at(-1)).toBe(archive.length);
    expect(train.count).toBe(10);
    expect(test.count).toBe(2);
    expect([...train.labels]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(train.shape).toEqual([32, 32, 3]);
    expect(train.normalization).toEqual({
      mean: [0.4914, 0.4822, 0.4465],
      std: [0.2023, 0.1994, 0.201],
    });
    // image 3, pixel p = 40 (row 1, col 8): R = 3, G = 40, B = 215
    const base = 3 * 3072 + 40 * 3;
    expect([...train.images.subarray(base, base + 3)]).toEqual([3, 40, 215]);
    expect(train.classNames[9]).toBe('truck');
  });

  it('loadCifar100 reads fine and coarse labels and the class names from the archive', async () => {
    const names = Array.from({ length: 100 }, (_, k) => `fine${k}`).join('\n');
    const coarse = Array.from({ length: 20 }, (_, k) => `coarse${k}`).join('\n');
    const archive = await tarGz({
      'cifar-100-binary/train.bin': concatBytes([
        cifarRecord([3, 42], () => 7),
        cifarRecord([19, 99], () => 8),
      ]),
      'cifar-100-binary/test.bin': cifarRecord([0, 5], () => 9),
      'cifar-100-binary/fine_label_names.txt': names,
      'cifar-100-binary/coarse_label_names.txt': coarse,
    });
    server = await startFileServer({ 'cifar-100-binary.tar.gz': { body: archive } });
    const { train, test } = await loadCifar100({
      cacheDir,
      baseUrl: server.baseUrl,
      checksums: { 'cifar-100-binary.tar.gz': md5(archive) },
    });
    expect([...train.labels]).toEqual([42, 99]);
    expect([...train.coarseLabels]).toEqual([3, 19]);
    expect(test.count).toBe(1);
    expect(train.classNames[42]).toBe('fine42');
    expect(train.coarseClassNames[19]).toBe('coarse19');
    expect(train.numClasses).toBe(100);
  });

  it('loadCifar10 names the archive member when a record file is truncated', async () => {
    const archive = await tarGz({ 'cifar-10-batches-bin/data_batch_1.bin': new Uint8Array(100) });
    const dataDir = mkdtempSync(join(tmpdir(), 'geokd-data-'));
    writeFileSync(join(dataDir, 'cifar-10-binary.tar.gz'), archive);
    await expect(loadCifar10({ dataDir })).rejects.toThrow(
      `${join(dataDir, 'cifar-10-binary.tar.gz')}:data_batch_1.bin: length 100 is not a multiple of the cifar10 record size 3073`,
    );
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('warns when no checksum is known and download is refused when disabled', async () => {
    const archive = await tarGz({
      'cifar-100-binary/train.bin': cifarRecord([1, 1], () => 0),
      'cifar-100-binary/test.bin': cifarRecord([1, 2], () => 0),
    });
    server = await startFileServer({ 'cifar-100-binary.tar.gz': { body: archive } });
    await expect(loadCifar100({ cacheDir, download: false })).rejects.toThrow(
      'is not in the cache and download is false',
    );
    const warnings: string[] = [];
    const { train } = await loadCifar100({
      cacheDir,
      baseUrl: server.baseUrl,
      checksums: { 'cifar-100-binary.tar.gz': null },
      onWarning: (m) => warnings.push(m),
    });
    expect(train.count).toBe(1);
    expect(warnings).toEqual([
      'loadCifar100: no checksum known for cifar-100-binary.tar.gz; it is checked only for its announced size and gzip integrity, then recorded (size, SHA-256) to detect later changes',
    ]);
  });
});
