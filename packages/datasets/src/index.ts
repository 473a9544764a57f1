export { type AugmentOptions, augmentImage } from './augment-image';
export { resolveCacheDirectory } from './cache-directory';
export { CacheDirectoryError } from './cache-directory-error';
export { ChecksumError } from './checksum-error';
export {
  type Batch,
  type BatchOptions,
  type CreateDatasetOptions,
  createDataset,
  type Dataset,
} from './dataset';
export type { DatasetFileOptions } from './dataset-file-options';
export { DatasetFormatError } from './dataset-format-error';
export {
  CIFAR10_SOURCE,
  CIFAR100_SOURCE,
  type DatasetFile,
  type DatasetSource,
  FASHION_MNIST_SOURCE,
  type FileChecksum,
  MNIST_SOURCE,
} from './dataset-sources';
export {
  CIFAR10_CLASS_NAMES,
  CIFAR10_NORMALIZATION,
  CIFAR100_NORMALIZATION,
  FASHION_MNIST_CLASS_NAMES,
  FASHION_MNIST_NORMALIZATION,
  MNIST_CLASS_NAMES,
  MNIST_NORMALIZATION,
  type Normalization,
} from './dataset-statistics';
export { DownloadError } from './download-error';
export { type DownloadFileOptions, type DownloadProgress, downloadFile } from './download-file';
export {
  type Cifar100Dataset,
  type LoadCifarOptions,
  loadCifar10,
  loadCifar100,
} from './load-cifar';
export { type LoadMnistEmbeddedOptions, loadMnistEmbedded } from './load-mnist-embedded';
export { type LoadIdxDatasetOptions, loadFashionMnist, loadMnist } from './load-mnist-idx';
export {
  type CifarBinary,
  type ParseCifarBinaryOptions,
  parseCifarBinary,
} from './parse-cifar-binary';
export { type IdxData, type IdxFile, isGzip, type ParseIdxOptions, parseIdx } from './parse-idx';
export { type ReadTarArchiveOptions, readTarArchive } from './read-tar-archive';
export { SeededRandom } from './seeded-random';
export { type StratifiedSplitOptions, stratifiedSplit } from './stratified-split';
export { type SyntheticDatasetOptions, syntheticDataset } from './synthetic-dataset';
