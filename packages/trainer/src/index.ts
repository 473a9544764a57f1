export { type AdamOptimizerOptions, createAdamOptimizer } from './adam-optimizer';
export { CheckpointError, type CheckpointErrorReason } from './checkpoint-error';
export { type ConsoleReporterOptions, createConsoleReporter } from './console-reporter';
export { createOptimizer, type OptimizerOptions } from './create-optimizer';
export type { TrainingBatch, TrainingBatchOptions, TrainingDataset } from './dataset-contract';
export { type DistillOptions, distill } from './distill';
export type { DistillationLossContext, DistillationLossDescriptor } from './distillation-loss-contract';
export { type EvaluateModelOptions, evaluateModel } from './evaluate-model';
export { assertGradientsRegistered } from './gradient-registration';
export {
  type ConstantSchedule,
  type CosineSchedule,
  type LearningRateSchedule,
  learningRateAt,
  type MultiStepSchedule,
  type SchedulePosition,
} from './learning-rate-schedule';
export { CROSS_ENTROPY_TERM, type DistillationTerm } from './loss-terms';
export { readMetricsLog } from './metrics-log';
export type { TrainableModel, TrainableModelOutput, TrainableModelParameter } from './model-contract';
export { NonFiniteLossError } from './non-finite-loss-error';
export type { OptimizedParameter, OptimizerState, TrainingOptimizer } from './optimizer';
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
