import { assertGradientsRegistered } from './gradient-registration';
import type { TrainableModel } from './model-contract';
import { loadCheckpointStore } from './load-checkpoint-store';
import { runTraining, validateCommonOptions, validateModel } from './training-loop';
import type { CommonTrainingOptions, TrainingResult } from './training-options';

/** Options of {@link trainTeacher}. */
export interface TrainTeacherOptions extends CommonTrainingOptions {
  /** The model to train (a `FeatureModel` of `@geokd/models`, or anything of that shape). */
  model: TrainableModel;
}

/**
 * Trains a model on labels alone (cross-entropy): the teacher of a distillation, or a baseline.
 * Seeded shuffling and augmentation, decoupled weight decay, per-epoch checkpoints with exact
 * resume, progress events and a JSON Lines metrics log next to the checkpoints.
 *
 * @returns per-epoch history, final test metrics, wall time and backend.
 * @throws InvalidArgumentError for invalid options (named), CheckpointError for a corrupt or
 *   mismatched checkpoint, NonFiniteLossError when a loss turns NaN/Inf (the last good checkpoint
 *   is kept), TrainingAbortedError when `signal` aborts.
 * @example
 * ```ts
 * import '@tensorflow/tfjs'; // registers gradients in Node
 * const teacher = createModel('wrn-16-1', { numClasses: 10, seed: 1 });
 * const result = await trainTeacher({ model: teacher, data: { train, test }, epochs: 30, seed: 1,
 *   onEvent: createConsoleReporter() });
 * ```
 */
export async function trainTeacher(options: TrainTeacherOptions): Promise<TrainingResult> {
  const functionName = 'trainTeacher';
  validateModel(options?.model, functionName, 'model');
  validateCommonOptions(options, options.model, functionName, 'model');
  assertGradientsRegistered(functionName);
  const checkpointStore = await loadCheckpointStore(options);
  return runTraining({
    checkpointStore,
    task: 'train-teacher',
    functionName,
    student: options.model,
    terms: [],
    options,
  });
}
