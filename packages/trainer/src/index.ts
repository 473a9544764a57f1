// The browser-safe entry of @geokd/trainer. Node-only parts (the file checkpoint store, the
// console reporter, the metrics log reader) are in '@geokd/trainer/node'.
export type {
  DistillationLoss,
  DistillationLossContext,
  DistillationLossParameters,
  DistillationLossShapes,
  TapPair,
} from '@geokd/core';
export { type AdamOptimizerOptions, createAdamOptimizer } from './adam-optimizer';
export { CheckpointError, type CheckpointErrorReason } from './checkpoint-error';
export type { CheckpointContents, CheckpointManifest, LoadedCheckpoint } from './checkpoint-store';
export { createOptimizer, type OptimizerOptions } from './create-optimizer';
export type { TrainingBatch, TrainingBatchOptions, TrainingDataset } from './dataset-contract';
export { type DistillOptions, distill } from './distill';
export type { DistillationLossDescriptor } from './distillation-loss-contract';
export { type EvaluateModelOptions, evaluateModel } from './evaluate-model';
export { assertGradientsRegistered } from './gradient-registration';
export {
  type ConstantSchedule,
  type CosineSchedule,
  type LearningRateSchedule,
  learningRateAt,
  type MultiStepSchedule,
  type SchedulePosition,
  type WarmupOptions,
} from './learning-rate-schedule';
export { createLossParameters, type LossParameterSet } from './loss-parameters';
export {
  CROSS_ENTROPY_TERM,
  type DistillationTerm,
  type ResolvedLossTerm,
  resolveLossTerms,
} from './loss-terms';
export type {
  TrainableModel,
  TrainableModelOutput,
  TrainableModelParameter,
} from './model-contract';
export { NonFiniteLossError } from './non-finite-loss-error';
export type { OptimizedParameter, OptimizerState, TrainingOptimizer } from './optimizer';
/** @deprecated import `SeededRandom` from `@geokd/core` (the one generator of geokd). */
export { SeededRandom } from './seeded-random';
export {
  createSgdOptimizer,
  type SgdOptimizerOptions,
  type WeightDecayMode,
  type WeightDecayParameters,
} from './sgd-optimizer';
export { type TrainTeacherOptions, trainTeacher } from './train-teacher';
export { TrainingAbortedError } from './training-aborted-error';
export type {
  BatchBeginLogs,
  BatchEndLogs,
  EpochBeginLogs,
  TrainBeginLogs,
  TrainingCallbacks,
  TrainingControl,
} from './training-callbacks';
export type { TrainingCheckpointStore } from './training-checkpoint-store';
export type {
  CheckpointEvent,
  EpochEndEvent,
  EpochRecord,
  EpochStartEvent,
  EvaluationMetrics,
  RunEndEvent,
  RunStartEvent,
  StepEvent,
  TrainingEvent,
  TrainingEventHandler,
} from './training-events';
export type { CommonTrainingOptions, TrainingResult } from './training-options';
export {
  createTrainingStep,
  type TrainingStep,
  type TrainingStepOptions,
  type TrainingStepResult,
} from './training-step';
