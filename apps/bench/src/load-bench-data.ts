import type { Dataset } from '@geokd/datasets';
import { loadCifar10, loadMnistEmbedded, syntheticDataset } from '@geokd/datasets';
import type { DataSpec } from './bench-spec';
import { stratifiedIndices } from './stratified-indices';

/** The train and test sets of a benchmark. */
export interface BenchData {
  /** Training set (subset when `trainSize` is set). */
  train: Dataset;
  /** Test set (subset when `testSize` is set). */
  test: Dataset;
  /**
   * What the students train on: a stratified subset of `train` when `studentTrainSize` is set,
   * else `train` itself.
   */
  studentTrain: Dataset;
}

function shrink(dataset: Dataset, size: number | undefined): Dataset {
  if (size === undefined || size >= dataset.count) return dataset;
  return dataset.subset(stratifiedIndices(dataset.labels, size));
}

/** Loads the benchmark's data as the spec says, then keeps the stratified subsets. */
export async function loadBenchData(spec: DataSpec): Promise<BenchData> {
  let data: { train: Dataset; test: Dataset };
  if (spec.kind === 'mnist-embedded') {
    // A stratified, seeded split of all 10,000 digits: no digit is in both sets.
    data = loadMnistEmbedded({ seed: spec.seed, testFraction: spec.testFraction ?? 0.2 });
  } else if (spec.kind === 'cifar10') {
    // Read from the given folder only: the bench never downloads behind the user's back.
    data = await loadCifar10({ dataDir: spec.dataDir!, download: false });
  } else {
    const [height, width, channels] = spec.shape ?? [32, 32, 3];
    const numClasses = spec.numClasses ?? 10;
    const trainCount = spec.trainSize ?? 1024;
    const testCount = spec.testSize ?? 256;
    // One generated set split in two, so that train and test share the class prototypes.
    const all = syntheticDataset({
      count: trainCount + testCount,
      shape: [height, width, channels],
      numClasses,
      seed: spec.seed,
    });
    const indices = Array.from({ length: all.count }, (_, index) => index);
    const train = all.subset(indices.slice(0, trainCount));
    const test = all.subset(indices.slice(trainCount));
    data = { train, test };
  }
  const train = shrink(data.train, spec.trainSize);
  return {
    train,
    test: shrink(data.test, spec.testSize),
    studentTrain: shrink(train, spec.studentTrainSize),
  };
}
