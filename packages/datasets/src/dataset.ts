import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { assertImageShape } from './assert-image-shape';
import { type AugmentOptions, augmentImage } from './augment-image';
import type { Normalization } from './dataset-statistics';
import { SeededRandom } from './seeded-random';

/** Options of {@link Dataset.batches}. */
export interface BatchOptions {
  /** Examples per batch (a positive integer). */
  batchSize: number;
  /** Visit the examples in a seeded random order. @default false */
  shuffle?: boolean;
  /** Seed of the shuffling and the augmentation; use a different one per epoch. @default 0 */
  seed?: number;
  /** Drop the last batch when it is smaller than `batchSize`. @default false */
  dropLast?: boolean;
  /** `true`: the dataset's default augmentation; an object: these options; `false`: none. @default false */
  augment?: boolean | AugmentOptions;
  /** Standardise each channel with the dataset's `normalization` (after augmentation). @default false */
  normalize?: boolean;
}

/** One batch: images NHWC float32 and int32 labels. The caller disposes both. */
export interface Batch {
  /** Images, shape `[batch, H, W, C]`, float32 (in [0, 1] unless normalised). */
  x: tf.Tensor4D;
  /** Class labels, shape `[batch]`, int32. */
  y: tf.Tensor1D;
}

/**
 * An in-memory image classification dataset.
 *
 * Images are stored compactly on the CPU side and turned into tensors one batch at a time:
 * a `Uint8Array` holds bytes 0..255 (pixel value = byte / 255; CIFAR, IDX files), a
 * `Float32Array` holds values in [0, 1] (embedded MNIST, synthetic data). Layout NHWC.
 */
export interface Dataset {
  /** Pixels, `count*H*W*C` values, NHWC. Uint8Array: byte/255; Float32Array: already in [0, 1]. */
  readonly images: Uint8Array | Float32Array;
  /** Class label of each example, in [0, numClasses). */
  readonly labels: Int32Array;
  /** Number of examples. */
  readonly count: number;
  /** Image shape `[H, W, C]`. */
  readonly shape: [number, number, number];
  /** Number of classes. */
  readonly numClasses: number;
  /** Class names, in label order. */
  readonly classNames: string[];
  /** Per-channel statistics used by `batches({ normalize: true })`. */
  readonly normalization?: Normalization;
  /** What `batches({ augment: true })` applies. */
  readonly defaultAugmentation: Required<AugmentOptions>;
  /**
   * Iterates over batches; only the current batch's tensors exist (created lazily).
   * @throws {@link InvalidArgumentError} for a bad batch size, or `normalize` without statistics.
   */
  batches(options: BatchOptions): IterableIterator<Batch>;
  /**
   * A dataset of the examples at `indices` (copied, in that order).
   * @throws {@link InvalidArgumentError} when an index is not an integer in [0, count).
   */
  subset(indices: ArrayLike<number>): Dataset;
  /** The pixels of example `index` as floats in [0, 1] (length H*W*C). */
  imageAt(index: number): Float32Array;
}

/** Options of {@link createDataset}. */
export interface CreateDatasetOptions {
  /** Pixels, NHWC: Uint8Array (byte / 255) or Float32Array in [0, 1]. */
  images: Uint8Array | Float32Array;
  /** Labels, one per image, in [0, numClasses). */
  labels: Int32Array;
  /** Image shape `[H, W, C]`. */
  shape: [number, number, number];
  /** Number of classes. */
  numClasses: number;
  /** Class names. @default ['0', '1', ...] */
  classNames?: string[];
  /** Per-channel statistics for `normalize: true`. @default undefined */
  normalization?: Normalization;
  /** Augmentation applied by `augment: true`. @default { padding: 4, horizontalFlip: true } */
  defaultAugmentation?: AugmentOptions;
}

/**
 * Builds a {@link Dataset} from arrays (the loaders use it; so can users with their own data).
 *
 * @throws {@link InvalidArgumentError} when sizes disagree or a label is out of range.
 * @example
 * ```ts
 * const data = createDataset({ images: new Float32Array(2 * 4), labels: Int32Array.from([0, 1]),
 *   shape: [2, 2, 1], numClasses: 2 });
 * for (const { x, y } of data.batches({ batchSize: 2 })) { x.dispose(); y.dispose(); }
 * ```
 */
export function createDataset(options: CreateDatasetOptions): Dataset {
  const fn = 'createDataset';
  const { images, labels, shape, numClasses } = options;
  if (!(images instanceof Uint8Array || images instanceof Float32Array)) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'images',
      expected: 'a Uint8Array or Float32Array',
      received: Object.prototype.toString.call(images),
    });
  }
  if (!(labels instanceof Int32Array)) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'labels',
      expected: 'an Int32Array',
      received: Object.prototype.toString.call(labels),
    });
  }
  assertImageShape(shape, fn, 'shape');
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'numClasses',
      expected: 'a positive integer',
      received: String(numClasses),
    });
  }
  const imageSize = shape[0] * shape[1] * shape[2];
  if (images.length !== labels.length * imageSize) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'images',
      expected: `${labels.length} labels × ${imageSize} values = ${labels.length * imageSize} values`,
      received: `${images.length} values`,
    });
  }
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label < 0 || label >= numClasses) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: `labels[${i}]`,
        expected: `an integer in [0, ${numClasses})`,
        received: String(label),
      });
    }
  }
  const normalization = options.normalization;
  if (normalization !== undefined) {
    if (normalization.mean.length !== shape[2] || normalization.std.length !== shape[2]) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'normalization',
        expected: `mean and std with ${shape[2]} channel(s)`,
        received: `mean of ${normalization.mean.length}, std of ${normalization.std.length}`,
      });
    }
    if (!normalization.std.every((s) => s > 0)) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'normalization.std',
        expected: 'positive values',
        received: JSON.stringify(normalization.std),
      });
    }
  }
  const classNames =
    options.classNames ?? Array.from({ length: numClasses }, (_, index) => String(index));
  if (classNames.length !== numClasses) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'classNames',
      expected: `${numClasses} names`,
      received: `${classNames.length}`,
    });
  }
  const defaultAugmentation: Required<AugmentOptions> = {
    padding: options.defaultAugmentation?.padding ?? 4,
    horizontalFlip: options.defaultAugmentation?.horizontalFlip ?? true,
  };
  const scale = images instanceof Uint8Array ? 1 / 255 : 1;
  const count = labels.length;

  const dataset: Dataset = {
    images,
    labels,
    count,
    shape: [shape[0], shape[1], shape[2]],
    numClasses,
    classNames: [...classNames],
    ...(normalization === undefined
      ? {}
      : { normalization: { mean: [...normalization.mean], std: [...normalization.std] } }),
    defaultAugmentation,
    batches(batchOptions: BatchOptions): IterableIterator<Batch> {
      const plan = planBatches(batchOptions, dataset);
      return generateBatches(dataset, plan, scale, imageSize);
    },
    subset(indices: ArrayLike<number>): Dataset {
      const n = indices.length;
      const subImages =
        images instanceof Uint8Array
          ? new Uint8Array(n * imageSize)
          : new Float32Array(n * imageSize);
      const subLabels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const index = indices[i] as number;
        if (!Number.isInteger(index) || index < 0 || index >= count) {
          throw new InvalidArgumentError({
            functionName: 'Dataset.subset',
            argument: `indices[${i}]`,
            expected: `an integer in [0, ${count})`,
            received: String(index),
          });
        }
        subImages.set(images.subarray(index * imageSize, (index + 1) * imageSize), i * imageSize);
        subLabels[i] = labels[index] as number;
      }
      return createDataset({
        images: subImages,
        labels: subLabels,
        shape,
        numClasses,
        classNames,
        ...(normalization === undefined ? {} : { normalization }),
        defaultAugmentation,
      });
    },
    imageAt(index: number): Float32Array {
      if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new InvalidArgumentError({
          functionName: 'Dataset.imageAt',
          argument: 'index',
          expected: `an integer in [0, ${count})`,
          received: String(index),
        });
      }
      const out = new Float32Array(imageSize);
      for (let i = 0; i < imageSize; i++)
        out[i] = (images[index * imageSize + i] as number) * scale;
      return out;
    },
  };
  return dataset;
}

interface BatchPlan {
  batchSize: number;
  order: Int32Array;
  batchCount: number;
  augment: Required<AugmentOptions> | undefined;
  normalization: Normalization | undefined;
  rng: SeededRandom;
}

function planBatches(options: BatchOptions, dataset: Dataset): BatchPlan {
  const fn = 'Dataset.batches';
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options',
      expected: 'an object { batchSize, ... }',
      received: String(options),
    });
  }
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.batchSize',
      expected: 'a positive integer',
      received: String(batchSize),
    });
  }
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.seed',
      expected: 'a finite number',
      received: String(seed),
    });
  }
  if (options.normalize === true && dataset.normalization === undefined) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.normalize',
      expected: 'false for a dataset without normalization statistics',
      received: 'true',
    });
  }
  let augment: Required<AugmentOptions> | undefined;
  if (options.augment === true) {
    augment = dataset.defaultAugmentation;
  } else if (typeof options.augment === 'object' && options.augment !== null) {
    augment = {
      padding: options.augment.padding ?? dataset.defaultAugmentation.padding,
      horizontalFlip: options.augment.horizontalFlip ?? dataset.defaultAugmentation.horizontalFlip,
    };
    if (!Number.isInteger(augment.padding) || augment.padding < 0) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'options.augment.padding',
        expected: 'an integer >= 0',
        received: String(augment.padding),
      });
    }
  }
  const rng = new SeededRandom(seed);
  const order =
    options.shuffle === true
      ? rng.permutation(dataset.count)
      : Int32Array.from({ length: dataset.count }, (_, i) => i);
  const batchCount =
    options.dropLast === true
      ? Math.floor(dataset.count / batchSize)
      : Math.ceil(dataset.count / batchSize);
  return {
    batchSize,
    order,
    batchCount,
    augment,
    normalization: options.normalize === true ? dataset.normalization : undefined,
    rng,
  };
}

function* generateBatches(
  dataset: Dataset,
  plan: BatchPlan,
  scale: number,
  imageSize: number,
): IterableIterator<Batch> {
  const { images, labels, shape } = dataset;
  const channels = shape[2];
  for (let b = 0; b < plan.batchCount; b++) {
    const start = b * plan.batchSize;
    const end = Math.min(start + plan.batchSize, dataset.count);
    const n = end - start;
    const pixels = new Float32Array(n * imageSize);
    const batchLabels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const index = plan.order[start + i] as number;
      batchLabels[i] = labels[index] as number;
      if (plan.augment !== undefined) {
        augmentImage(
          images,
          index * imageSize,
          scale,
          shape,
          plan.augment,
          plan.rng,
          pixels,
          i * imageSize,
        );
      } else {
        const offset = index * imageSize;
        const target = i * imageSize;
        for (let p = 0; p < imageSize; p++)
          pixels[target + p] = (images[offset + p] as number) * scale;
      }
    }
    if (plan.normalization !== undefined) {
      const { mean, std } = plan.normalization;
      for (let p = 0; p < pixels.length; p++) {
        const c = p % channels;
        pixels[p] = ((pixels[p] as number) - (mean[c] as number)) / (std[c] as number);
      }
    }
    yield {
      x: tf.tensor4d(pixels, [n, shape[0], shape[1], shape[2]], 'float32'),
      y: tf.tensor1d(batchLabels, 'int32'),
    };
  }
}
