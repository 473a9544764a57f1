import { createDataset, type Dataset } from './dataset';
import type { DatasetFileOptions } from './dataset-file-options';
import { DatasetFormatError } from './dataset-format-error';
import { CIFAR10_SOURCE, CIFAR100_SOURCE } from './dataset-sources';
import {
  CIFAR10_CLASS_NAMES,
  CIFAR10_NORMALIZATION,
  CIFAR100_NORMALIZATION,
} from './dataset-statistics';
import { fetchDatasetFile } from './fetch-dataset-file';
import { parseCifarBinary } from './parse-cifar-binary';
import { readTarArchive } from './read-tar-archive';

/** Options of {@link loadCifar10} and {@link loadCifar100}. */
export type LoadCifarOptions = DatasetFileOptions;

/** A CIFAR-100 split: the fine-label dataset plus the coarse (superclass) labels. */
export interface Cifar100Dataset extends Dataset {
  /** Superclass label of each example, in [0, 20). */
  readonly coarseLabels: Int32Array;
  /** Names of the 20 superclasses. */
  readonly coarseClassNames: string[];
}

const CIFAR10_TRAIN = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
];

/**
 * CIFAR-10 (50,000 train / 10,000 test, 32×32×3) from `cifar-10-binary.tar.gz`, downloaded
 * and verified (MD5) into the cache, or read from `dataDir`. Images: Uint8Array NHWC; default
 * augmentation random crop 32 with zero padding 4 and horizontal flip; normalisation mean
 * (0.4914, 0.4822, 0.4465), std (0.2023, 0.1994, 0.2010). Node only.
 *
 * @throws {@link DatasetFormatError} for a malformed archive or record file (names it),
 * {@link DownloadError}, {@link ChecksumError}, {@link CacheDirectoryError}.
 * @see Krizhevsky, "Learning Multiple Layers of Features from Tiny Images", 2009.
 * @example
 * ```ts
 * const { train, test } = await loadCifar10({ onProgress: (p) => console.log(p.bytesDone) });
 * ```
 */
export async function loadCifar10(
  options: LoadCifarOptions = {},
): Promise<{ train: Dataset; test: Dataset }> {
  const archive = await fetchDatasetFile(
    CIFAR10_SOURCE,
    CIFAR10_SOURCE.files.archive as { name: string },
    options,
    'loadCifar10',
  );
  const files = await readTarArchive(archive.bytes, {
    fileName: archive.path,
    include: (name) => name.endsWith('.bin') || name.endsWith('.txt'),
  });
  const member = (name: string): Uint8Array => {
    for (const [path, bytes] of files) if (path === name || path.endsWith(`/${name}`)) return bytes;
    throw new DatasetFormatError(archive.path, `member ${name} not found in the archive`);
  };
  const parse = (names: string[]) => {
    const parts = names.map((name) =>
      parseCifarBinary(member(name), { variant: 'cifar10', fileName: `${archive.path}:${name}` }),
    );
    // The batches of a CIFAR-10 release all hold the same number of records (10,000): a batch
    // that is whole records short passes the record-size check but is still truncated.
    parts.forEach((part, i) => {
      if (part.count !== (parts[0] as { count: number }).count) {
        throw new DatasetFormatError(
          `${archive.path}:${names[i]}`,
          `has ${part.count} records but ${names[0]} has ${(parts[0] as { count: number }).count} (every batch holds the same number; truncated?)`,
        );
      }
    });
    const count = parts.reduce((sum, part) => sum + part.count, 0);
    const images = new Uint8Array(count * 3072);
    const labels = new Int32Array(count);
    let offset = 0;
    for (const part of parts) {
      images.set(part.images, offset * 3072);
      labels.set(part.labels, offset);
      offset += part.count;
    }
    return createDataset({
      images,
      labels,
      shape: [32, 32, 3],
      numClasses: 10,
      classNames: [...CIFAR10_CLASS_NAMES],
      normalization: CIFAR10_NORMALIZATION,
      defaultAugmentation: { padding: 4, horizontalFlip: true },
    });
  };
  const train = parse(CIFAR10_TRAIN);
  const test = parse(['test_batch.bin']);
  if (test.count !== train.count / CIFAR10_TRAIN.length) {
    throw new DatasetFormatError(
      `${archive.path}:test_batch.bin`,
      `has ${test.count} records but each training batch has ${train.count / CIFAR10_TRAIN.length} (truncated?)`,
    );
  }
  return { train, test };
}

/**
 * CIFAR-100 (50,000 / 10,000, 100 fine classes, 20 superclasses) from
 * `cifar-100-binary.tar.gz`, like {@link loadCifar10}; class names come from the archive's
 * `fine_label_names.txt` / `coarse_label_names.txt`.
 * @throws as {@link loadCifar10}.
 */
export async function loadCifar100(
  options: LoadCifarOptions = {},
): Promise<{ train: Cifar100Dataset; test: Cifar100Dataset }> {
  const archive = await fetchDatasetFile(
    CIFAR100_SOURCE,
    CIFAR100_SOURCE.files.archive as { name: string },
    options,
    'loadCifar100',
  );
  const files = await readTarArchive(archive.bytes, { fileName: archive.path });
  const find = (name: string): Uint8Array | undefined => {
    for (const [path, bytes] of files) if (path === name || path.endsWith(`/${name}`)) return bytes;
    return undefined;
  };
  const names = (name: string, count: number, prefix: string): string[] => {
    const bytes = find(name);
    const list =
      bytes === undefined
        ? []
        : new TextDecoder()
            .decode(bytes)
            .split('\n')
            .map((line) => line.trim())
            .filter((line) => line !== '');
    return list.length === count ? list : Array.from({ length: count }, (_, k) => `${prefix} ${k}`);
  };
  const fineNames = names('fine_label_names.txt', 100, 'class');
  const coarseNames = names('coarse_label_names.txt', 20, 'superclass');
  const parse = (name: string): Cifar100Dataset => {
    const bytes = find(name);
    if (bytes === undefined)
      throw new DatasetFormatError(archive.path, `member ${name} not found in the archive`);
    const parsed = parseCifarBinary(bytes, {
      variant: 'cifar100',
      fileName: `${archive.path}:${name}`,
    });
    const dataset = createDataset({
      images: parsed.images,
      labels: parsed.labels,
      shape: [32, 32, 3],
      numClasses: 100,
      classNames: fineNames,
      normalization: CIFAR100_NORMALIZATION,
      defaultAugmentation: { padding: 4, horizontalFlip: true },
    });
    return Object.assign(dataset, {
      coarseLabels: parsed.coarseLabels as Int32Array,
      coarseClassNames: coarseNames,
    });
  };
  return { train: parse('train.bin'), test: parse('test.bin') };
}
