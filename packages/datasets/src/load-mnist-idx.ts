import { createDataset, type Dataset } from './dataset';
import type { DatasetFileOptions } from './dataset-file-options';
import { DatasetFormatError } from './dataset-format-error';
import type { DatasetSource } from './dataset-sources';
import { FASHION_MNIST_SOURCE, MNIST_SOURCE } from './dataset-sources';
import {
  FASHION_MNIST_CLASS_NAMES,
  FASHION_MNIST_NORMALIZATION,
  MNIST_CLASS_NAMES,
  MNIST_NORMALIZATION,
  type Normalization,
} from './dataset-statistics';
import { fetchDatasetFile } from './fetch-dataset-file';
import { parseIdx } from './parse-idx';

/** Options of {@link loadMnist} and {@link loadFashionMnist}. */
export type LoadIdxDatasetOptions = DatasetFileOptions;

/**
 * The full MNIST (60,000 train / 10,000 official test) from its four IDX files, downloaded and
 * verified (MD5) into the cache, or read from `dataDir`. Images: Uint8Array, shape [28, 28, 1].
 * Node only.
 *
 * @throws {@link DatasetFormatError} for a malformed file (names it), {@link DownloadError},
 * {@link ChecksumError}, {@link CacheDirectoryError}.
 * @example
 * ```ts
 * const { train, test } = await loadMnist({ baseUrl: 'https://ossci-datasets.s3.amazonaws.com/mnist/' });
 * ```
 */
export function loadMnist(
  options: LoadIdxDatasetOptions = {},
): Promise<{ train: Dataset; test: Dataset }> {
  return loadIdxDataset(
    MNIST_SOURCE,
    [...MNIST_CLASS_NAMES],
    MNIST_NORMALIZATION,
    options,
    'loadMnist',
  );
}

/**
 * Fashion-MNIST (60,000 / 10,000) from its four IDX files, like {@link loadMnist}.
 * @throws as {@link loadMnist}.
 */
export function loadFashionMnist(
  options: LoadIdxDatasetOptions = {},
): Promise<{ train: Dataset; test: Dataset }> {
  return loadIdxDataset(
    FASHION_MNIST_SOURCE,
    [...FASHION_MNIST_CLASS_NAMES],
    FASHION_MNIST_NORMALIZATION,
    options,
    'loadFashionMnist',
  );
}

async function loadIdxDataset(
  source: DatasetSource,
  classNames: string[],
  normalization: Normalization,
  options: LoadIdxDatasetOptions,
  caller: string,
): Promise<{ train: Dataset; test: Dataset }> {
  const files = source.files as Record<
    'trainImages' | 'trainLabels' | 'testImages' | 'testLabels',
    { name: string }
  >;
  const part = async (
    imagesKey: 'trainImages' | 'testImages',
    labelsKey: 'trainLabels' | 'testLabels',
  ) => {
    const imagesFile = await fetchDatasetFile(source, files[imagesKey], options, caller);
    const labelsFile = await fetchDatasetFile(source, files[labelsKey], options, caller);
    const images = parseIdx(imagesFile.bytes, { fileName: imagesFile.path });
    const labels = parseIdx(labelsFile.bytes, { fileName: labelsFile.path });
    if (images.dtype !== 'uint8' || images.shape.length !== 3) {
      throw new DatasetFormatError(
        imagesFile.path,
        `expected uint8 images [N, H, W], found ${images.dtype} [${images.shape.join(', ')}]`,
      );
    }
    if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
      throw new DatasetFormatError(
        labelsFile.path,
        `expected uint8 labels [N], found ${labels.dtype} [${labels.shape.join(', ')}]`,
      );
    }
    if (labels.shape[0] !== images.shape[0]) {
      throw new DatasetFormatError(
        labelsFile.path,
        `has ${labels.shape[0]} labels but ${imagesFile.path} has ${images.shape[0]} images`,
      );
    }
    const labelValues = Int32Array.from(labels.data as Uint8Array);
    const bad = labelValues.findIndex((label) => label >= classNames.length);
    if (bad >= 0) {
      throw new DatasetFormatError(
        labelsFile.path,
        `label ${labelValues[bad]} at index ${bad} out of range [0, ${classNames.length})`,
      );
    }
    return createDataset({
      images: images.data as Uint8Array,
      labels: labelValues,
      shape: [images.shape[1] as number, images.shape[2] as number, 1],
      numClasses: classNames.length,
      classNames,
      normalization,
      defaultAugmentation: { padding: 2, horizontalFlip: false },
    });
  };
  const train = await part('trainImages', 'trainLabels');
  const test = await part('testImages', 'testLabels');
  if (test.shape[0] !== train.shape[0] || test.shape[1] !== train.shape[1]) {
    throw new DatasetFormatError(
      files.testImages.name,
      `test images are ${test.shape[0]}×${test.shape[1]} but the training images (${files.trainImages.name}) are ${train.shape[0]}×${train.shape[1]}; both must come from the same dataset`,
    );
  }
  return { train, test };
}
