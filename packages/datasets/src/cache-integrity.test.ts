/**
 * The loaders' cache is re-verified on every use: a truncated or changed file is downloaded
 * again (never trusted, never an endless "corrupt gzip data"); bad inputs to the parsers and
 * inconsistent dataset files get clear errors.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileChecksum } from './dataset-sources';
import { loadCifar10 } from './load-cifar';
import { loadMnistEmbedded } from './load-mnist-embedded';
import { loadMnist } from './load-mnist-idx';
import { parseCifarBinary } from './parse-cifar-binary';
import { isGzip, parseIdx } from './parse-idx';
import { readTarArchive } from './read-tar-archive';
import { buildIdx, cifarRecord, concatBytes, startFileServer } from './test-fixtures';

const md5 = (bytes: Uint8Array): FileChecksum => ({
  algorithm: 'md5',
  digest: createHash('md5').update(bytes).digest('hex'),
});

function mnistFiles(trainShape: [number, number], testShape: [number, number]) {
  const images = (n: number, [h, w]: [number, number]) =>
    new Uint8Array(
      gzipSync(
        buildIdx(
          0x08,
          [n, h, w],
          Array.from({ length: n * h * w }, (_, k) => k % 256),
        ),
      ),
    );
  const labels = (n: number) =>
    new Uint8Array(
      gzipSync(
        buildIdx(
          0x08,
          [n],
          Array.from({ length: n }, (_, i) => i % 10),
        ),
      ),
    );
  return {
    'train-images-idx3-ubyte.gz': images(6, trainShape),
    'train-labels-idx1-ubyte.gz': labels(6),
    't10k-images-idx3-ubyte.gz': images(3, testShape),
    't10k-labels-idx1-ubyte.gz': labels(3),
  } as Record<string, Uint8Array>;
}

async function tarGz(files: Record<string, Uint8Array>): Promise<Uint8Array> {
  const pack = tarStream.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, Buffer.from(content));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return new Uint8Array(gzipSync(Buffer.concat(chunks)));
}

describe('the loaders re-verify the cache', () => {
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
  const serve = async (files: Record<string, Uint8Array>) => {
    server = await startFileServer(
      Object.fromEntries(Object.entries(files).map(([name, body]) => [name, { body }])),
    );
    return server;
  };

  it('downloads again a truncated file already in the cache when the checksum is known', async () => {
    const files = mnistFiles([2, 3], [2, 3]);
    const { baseUrl, requests } = await serve(files);
    const checksums = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, md5(v)]));
    mkdirSync(join(cacheDir, 'mnist'));
    const truncated = files['train-images-idx3-ubyte.gz'] as Uint8Array;
    writeFileSync(join(cacheDir, 'mnist', 'train-images-idx3-ubyte.gz'), truncated.subarray(0, 20));
    const { train } = await loadMnist({ cacheDir, baseUrl, checksums });
    expect(train.count).toBe(6);
    expect(requests.filter((r) => r.path === 'train-images-idx3-ubyte.gz')).toHaveLength(1);
  });

  it('detects a cached file changed after a download without checksum, and downloads it again', async () => {
    const files = mnistFiles([2, 3], [2, 3]);
    const { baseUrl, requests } = await serve(files);
    const checksums = Object.fromEntries(Object.keys(files).map((k) => [k, null]));
    const options = { cacheDir, baseUrl, checksums, onWarning: () => undefined };
    await loadMnist(options);
    expect(requests).toHaveLength(4);
    const cached = join(cacheDir, 'mnist', 't10k-images-idx3-ubyte.gz');
    truncateSync(cached, 30);
    const { test } = await loadMnist(options);
    expect(test.count).toBe(3);
    expect(requests).toHaveLength(5);
    expect(new Uint8Array(readFileSync(cached))).toEqual(files['t10k-images-idx3-ubyte.gz']);
    // A file with no integrity record and no checksum (e.g. copied in by hand) is not trusted.
    rmSync(`${cached}.integrity.json`);
    await loadMnist(options);
    expect(requests).toHaveLength(6);
  });

  it('names the file and the problem when a cached file is bad and download is false', async () => {
    const files = mnistFiles([2, 3], [2, 3]);
    const { baseUrl } = await serve(files);
    const checksums = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, md5(v)]));
    await loadMnist({ cacheDir, baseUrl, checksums });
    const cached = join(cacheDir, 'mnist', 'train-labels-idx1-ubyte.gz');
    writeFileSync(cached, 'garbage');
    await expect(loadMnist({ cacheDir, checksums, download: false })).rejects.toThrow(
      `loadMnist: ${cached} in the cache cannot be trusted (its md5 is`,
    );
  });

  it('rejects IDX train and test images of different shapes', async () => {
    const dataDir = join(cacheDir, 'data');
    mkdirSync(dataDir);
    for (const [name, bytes] of Object.entries(mnistFiles([2, 3], [3, 2]))) {
      writeFileSync(join(dataDir, name), bytes);
    }
    await expect(loadMnist({ dataDir })).rejects.toThrow(
      't10k-images-idx3-ubyte.gz: test images are 3×2 but the training images (train-images-idx3-ubyte.gz) are 2×3',
    );
  });

  it('rejects a CIFAR-10 batch that is one record short', async () => {
    const batch = (n: number) =>
      concatBytes(Array.from({ length: n }, (_, r) => cifarRecord([r % 10], () => r)));
    const members = (short: string) =>
      Object.fromEntries(
        [
          'data_batch_1',
          'data_batch_2',
          'data_batch_3',
          'data_batch_4',
          'data_batch_5',
          'test_batch',
        ].map((name) => [`cifar-10-batches-bin/${name}.bin`, batch(name === short ? 2 : 3)]),
      );
    const dataDir = join(cacheDir, 'data');
    mkdirSync(dataDir);
    const archivePath = join(dataDir, 'cifar-10-binary.tar.gz');
    writeFileSync(archivePath, await tarGz(members('data_batch_4')));
    await expect(loadCifar10({ dataDir })).rejects.toThrow(
      `${archivePath}:data_batch_4.bin: has 2 records but data_batch_1.bin has 3`,
    );
    writeFileSync(archivePath, await tarGz(members('test_batch')));
    await expect(loadCifar10({ dataDir })).rejects.toThrow(
      `${archivePath}:test_batch.bin: has 2 records but each training batch has 3`,
    );
    writeFileSync(archivePath, await tarGz(members('none')));
    const { train, test } = await loadCifar10({ dataDir });
    expect([train.count, test.count]).toEqual([15, 3]);
  });
});

describe('the parsers and loaders on null', () => {
  it.each([
    [
      'parseIdx',
      () => parseIdx(null as never),
      'parseIdx: bytes must be a Uint8Array, received null',
    ],
    [
      'parseIdx options',
      () => parseIdx(new Uint8Array(4), null as never),
      'parseIdx: options must be an options object or undefined, received null',
    ],
    ['isGzip', () => isGzip(null as never), 'isGzip: bytes must be a Uint8Array, received null'],
    [
      'parseCifarBinary',
      () => parseCifarBinary(null as never, { variant: 'cifar10' }),
      'parseCifarBinary: bytes must be a Uint8Array, received null',
    ],
    [
      'parseCifarBinary array',
      () => parseCifarBinary([1, 2] as never, { variant: 'cifar10' }),
      'parseCifarBinary: bytes must be a Uint8Array, received an array',
    ],
    [
      'loadMnistEmbedded',
      () => loadMnistEmbedded(null as never),
      'loadMnistEmbedded: options must be an options object or undefined, received null',
    ],
  ])('%s gives a clear error instead of a TypeError', (_name, call, message) => {
    expect(call).toThrow(message);
  });

  it('readTarArchive and the file loaders reject null with a clear error', async () => {
    await expect(readTarArchive(null as never)).rejects.toThrow(
      'readTarArchive: bytes must be a Uint8Array, received null',
    );
    await expect(loadMnist(null as never)).rejects.toThrow(
      'loadMnist: options must be an options object or undefined, received null',
    );
  });
});
