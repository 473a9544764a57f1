import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { correctCount, crossEntropyFromLogits } from './cross-entropy';
import type { TrainingDataset } from './dataset-contract';
import type { TrainableModel } from './model-contract';
import type { EvaluationMetrics } from './training-events';

/** Options of {@link evaluateModel}. */
export interface EvaluateModelOptions {
  /** Examples per forward pass. @default 256 */
  batchSize?: number;
  /** Standardise inputs with the dataset's statistics, as in training. @default true */
  normalize?: boolean;
}

/**
 * Mean cross-entropy and accuracy of `model` in inference mode (batch-norm moving statistics,
 * nothing updated) over every example of `dataset`. Reads one pair of numbers per batch,
 * asynchronously (synchronous reads throw on WebGPU in Node).
 *
 * @throws InvalidArgumentError when `batchSize` is not a positive integer or the dataset is empty.
 * @example
 * ```ts
 * const { accuracy } = await evaluateModel(model, data.test);
 * ```
 */
export async function evaluateModel(
  model: TrainableModel,
  dataset: TrainingDataset,
  options: EvaluateModelOptions = {},
): Promise<EvaluationMetrics> {
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError({
      functionName: 'evaluateModel',
      argument: 'options.batchSize',
      expected: 'an integer >= 1',
      received: String(batchSize),
    });
  }
  if (!(dataset.count > 0)) {
    throw new InvalidArgumentError({
      functionName: 'evaluateModel',
      argument: 'dataset',
      expected: 'a dataset with at least one example',
      received: `${dataset.count} examples`,
    });
  }
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  const batches = dataset.batches({
    batchSize,
    shuffle: false,
    dropLast: false,
    augment: false,
    normalize: options.normalize ?? true,
  });
  for (const { x, y } of batches) {
    try {
      const sums = tf.tidy(() => {
        const { logits } = model.apply(x, { training: false });
        const loss = tf.mul(crossEntropyFromLogits(logits, y), y.shape[0]);
        return tf.stack([loss, correctCount(logits, y)]);
      });
      const [loss, right] = await sums.data();
      sums.dispose();
      lossSum += loss!;
      correct += right!;
      seen += y.shape[0];
    } finally {
      x.dispose();
      y.dispose();
    }
  }
  return { loss: lossSum / seen, accuracy: correct / seen };
}
