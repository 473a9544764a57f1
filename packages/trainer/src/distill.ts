import { InvalidArgumentError } from '@geokd/core';
import { assertGradientsRegistered } from './gradient-registration';
import { type DistillationTerm, resolveLossTerms } from './loss-terms';
import type { TrainableModel } from './model-contract';
import { loadCheckpointStore } from './load-checkpoint-store';
import { runTraining, validateCommonOptions, validateModel } from './training-loop';
import type { CommonTrainingOptions, TrainingResult } from './training-options';

/** Options of {@link distill}. */
export interface DistillOptions extends CommonTrainingOptions {
  /** The trained teacher: run in inference mode, outside the gradient, never updated. */
  teacher: TrainableModel;
  /** The student to train. */
  student: TrainableModel;
  /**
   * Weighted distillation terms added to the cross-entropy, each naming a loss of the
   * `@geokd/kd-losses` registry (or a loss object) and the taps it compares.
   */
  losses: DistillationTerm[];
}

/**
 * Distils a teacher into a student: minimises `crossEntropyWeight · CE + Σ weightᵢ · lossᵢ`,
 * where each loss compares the student's and the teacher's taps (or logits) of the same batch.
 * The trainer knows nothing of the losses' insides: it gathers the taps they name and weights
 * their scalars. A term of weight 0 is computed and reported but does not change training.
 *
 * @throws InvalidArgumentError for invalid options, unknown taps (listing the valid ones) or
 *   batch/shape mismatches between the models and the data; UnknownNameError for an unknown
 *   loss name; CheckpointError, NonFiniteLossError, TrainingAbortedError as {@link trainTeacher}.
 * @see Lassance et al., "Deep geometric knowledge distillation with graphs", ICASSP 2020.
 * @example
 * ```ts
 * const result = await distill({
 *   teacher, student, data: { train, test }, epochs: 30, seed: 1,
 *   losses: [
 *     { loss: 'gkd', weight: 25, taps: ['stage1', 'stage2', 'pool'], options: { k: 16 } },
 *     { loss: 'hinton', weight: 0.9, options: { temperature: 4 } },
 *   ],
 * });
 * ```
 */
export async function distill(options: DistillOptions): Promise<TrainingResult> {
  const functionName = 'distill';
  validateModel(options?.teacher, functionName, 'teacher');
  validateModel(options.student, functionName, 'student');
  if (options.teacher === options.student) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'student',
      expected: 'a model other than the teacher',
      received: `the teacher '${options.teacher.name}' itself`,
    });
  }
  validateCommonOptions(options, options.student, functionName, 'student');
  validateCommonOptions(options, options.teacher, functionName, 'teacher');
  const terms = resolveLossTerms(options.losses, options.student, options.teacher, functionName);
  assertGradientsRegistered(functionName);
  const checkpointStore = await loadCheckpointStore(options);
  return runTraining({
    checkpointStore,
    task: 'distill',
    functionName,
    student: options.student,
    teacher: options.teacher,
    terms,
    options,
  });
}
