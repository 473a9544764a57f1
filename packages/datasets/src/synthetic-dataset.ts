import { InvalidArgumentError } from '@geokd/errors';
import { assertImageShape } from './assert-image-shape';
import { createDataset, type Dataset } from './dataset';
import { SeededRandom } from './seeded-random';

/** Options of {@link syntheticDataset}. */
export interface SyntheticDatasetOptions {
  /** Number of examples (classes take turns: example i has label i mod numClasses). @default 512 */
  count?: number;
  /** Number of classes. @default 10 */
  numClasses?: number;
  /** Image shape `[H, W, C]`. @default [16, 16, 1] */
  shape?: [number, number, number];
  /** Seed of the class prototypes and of the per-example noise. */
  seed: number;
  /** Standard deviation of the per-pixel Gaussian noise (blob centres jitter by 10× this in pixels). @default 0.1 */
  noise?: number;
}

const BLOBS_PER_CLASS = 3;

/**
 * Gaussian blobs rendered as small images: each class has its own random arrangement of three
 * coloured blobs; each example jitters the blobs' centres and adds pixel noise, clipped to
 * [0, 1]. Classes are balanced and easy for a small CNN or MLP to separate, which makes the set
 * a fast stand-in for real data in tests. Runs anywhere (no Node built-ins).
 *
 * @throws {@link InvalidArgumentError} for a bad count, class count, shape or noise.
 * @example
 * ```ts
 * const data = syntheticDataset({ count: 256, numClasses: 4, shape: [8, 8, 1], seed: 1 });
 * ```
 */
export function syntheticDataset(options: SyntheticDatasetOptions): Dataset {
  const fn = 'syntheticDataset';
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options',
      expected: 'an object with a seed',
      received: String(options),
    });
  }
  const count = options.count ?? 512;
  const numClasses = options.numClasses ?? 10;
  const shape = options.shape ?? [16, 16, 1];
  const noise = options.noise ?? 0.1;
  if (!Number.isInteger(count) || count < 1) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.count',
      expected: 'a positive integer',
      received: String(count),
    });
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.numClasses',
      expected: 'an integer >= 2',
      received: String(numClasses),
    });
  }
  assertImageShape(shape, fn, 'options.shape');
  if (typeof noise !== 'number' || !(noise >= 0) || !Number.isFinite(noise)) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.noise',
      expected: 'a finite number >= 0',
      received: String(noise),
    });
  }
  if (typeof options.seed !== 'number' || !Number.isFinite(options.seed)) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.seed',
      expected: 'a finite number',
      received: String(options.seed),
    });
  }
  const [height, width, channels] = shape;
  const rng = new SeededRandom(options.seed);
  const sigma = Math.max(1, Math.min(height, width) / 6);
  const prototypes = Array.from({ length: numClasses }, () =>
    Array.from({ length: BLOBS_PER_CLASS }, () => ({
      cy: rng.next() * (height - 1),
      cx: rng.next() * (width - 1),
      color: Array.from({ length: channels }, () => 0.4 + 0.6 * rng.next()),
    })),
  );
  const imageSize = height * width * channels;
  const images = new Float32Array(count * imageSize);
  const labels = new Int32Array(count);
  const jitter = noise * 10;
  for (let i = 0; i < count; i++) {
    const label = i % numClasses;
    labels[i] = label;
    const blobs = (prototypes[label] ?? []).map((blob) => ({
      cy: blob.cy + jitter * rng.nextNormal(),
      cx: blob.cx + jitter * rng.nextNormal(),
      color: blob.color,
    }));
    const base = i * imageSize;
    // A Gaussian blob is separable: exp(-(dy² + dx²) / 2σ²) = gy[y] · gx[x].
    const profiles = blobs.map((blob) => ({
      gy: Float64Array.from({ length: height }, (_, y) =>
        Math.exp(-((y - blob.cy) ** 2) / (2 * sigma * sigma)),
      ),
      gx: Float64Array.from({ length: width }, (_, x) =>
        Math.exp(-((x - blob.cx) ** 2) / (2 * sigma * sigma)),
      ),
      color: blob.color,
    }));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const pixel = base + (y * width + x) * channels;
        for (let c = 0; c < channels; c++) {
          let value = 0;
          for (const blob of profiles) {
            value += (blob.color[c] as number) * (blob.gy[y] as number) * (blob.gx[x] as number);
          }
          value += noise * rng.nextNormal();
          images[pixel + c] = Math.min(1, Math.max(0, value));
        }
      }
    }
  }
  return createDataset({
    images,
    labels,
    shape: [height, width, channels],
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, k) => `class ${k}`),
    defaultAugmentation: {
      padding: Math.max(1, Math.floor(Math.min(height, width) / 8)),
      horizontalFlip: false,
    },
  });
}
