/** Loss and accuracy of a model on a dataset. */
export interface EvaluationMetrics {
  /** Mean cross-entropy on the labels. */
  loss: number;
  /** Fraction of examples whose arg-max logit is the label, in [0, 1]. */
  accuracy: number;
}

/** Metrics of one epoch, as kept in the history and written to `metrics.jsonl`. */
export interface EpochRecord {
  /** Epoch, counted from 1. */
  epoch: number;
  /** Learning rate at the epoch's first step. */
  learningRate: number;
  /** Training metrics averaged over the epoch's steps (model in training mode). */
  train: EvaluationMetrics & {
    /** Weighted total loss averaged over the steps. */
    totalLoss: number;
    /** Each term's unweighted value averaged over the steps, by term name. */
    terms: Record<string, number>;
  };
  /** Test metrics at the end of the epoch (model in inference mode). */
  test: EvaluationMetrics;
  /** Wall time of the epoch, in milliseconds (training and evaluation). */
  durationMs: number;
  /** Training throughput over the epoch. */
  imagesPerSecond: number;
}

/** Emitted once, before the first epoch runs. */
export interface RunStartEvent {
  type: 'run-start';
  /** `'train-teacher'` or `'distill'`. */
  task: 'train-teacher' | 'distill';
  /** Epochs of the whole run. */
  epochs: number;
  /** The epoch (from 1) the run starts at; above 1 when resumed. */
  startEpoch: number;
  stepsPerEpoch: number;
  /** The tfjs backend in use. */
  backend: string;
  /** Whether training continues from a checkpoint. */
  resumed: boolean;
}

/** Emitted at the start of each epoch. */
export interface EpochStartEvent {
  type: 'epoch-start';
  /** Epoch, counted from 1. */
  epoch: number;
  epochs: number;
  stepsPerEpoch: number;
  learningRate: number;
}

/** Emitted after each optimiser update. */
export interface StepEvent {
  type: 'step';
  /** Epoch, counted from 1. */
  epoch: number;
  epochs: number;
  /** Step within the epoch, counted from 1. */
  step: number;
  stepsPerEpoch: number;
  /** Updates since the start of training, counted from 1. */
  globalStep: number;
  /** Weighted total loss of the batch. */
  loss: number;
  /**
   * @deprecated no longer filled: a step reads back only its total loss (each read stalls a GPU
   * pipeline). The epoch's mean of each term is in the `epoch-end` event's `train.terms`.
   */
  terms?: Record<string, number>;
  /**
   * @deprecated no longer filled, for the same reason; the epoch's training accuracy is in the
   * `epoch-end` event's `train.accuracy`.
   */
  accuracy?: number;
  learningRate: number;
  /** Images per second of this step (forward, backward and update). */
  imagesPerSecond: number;
}

/** Emitted after each epoch's evaluation. */
export interface EpochEndEvent extends EpochRecord {
  type: 'epoch-end';
  epochs: number;
}

/** Emitted after a checkpoint has been completely written. */
export interface CheckpointEvent {
  type: 'checkpoint';
  /** Epochs the checkpoint contains. */
  epoch: number;
  /** Folder of the checkpoint. */
  path: string;
}

/** Emitted once when the run ends, whether it completed or failed. */
export interface RunEndEvent {
  type: 'run-end';
  status: 'completed' | 'failed';
  /** Final test metrics (completed runs). */
  test?: EvaluationMetrics;
  durationMs: number;
  /** The error that stopped a failed run. */
  error?: unknown;
}

/** Every event the trainer emits through `onEvent`. */
export type TrainingEvent =
  | RunStartEvent
  | EpochStartEvent
  | StepEvent
  | EpochEndEvent
  | CheckpointEvent
  | RunEndEvent;

/**
 * Receives training events. Throwing stops training (the last complete checkpoint is kept);
 * the error propagates to the caller.
 */
export type TrainingEventHandler = (event: TrainingEvent) => void;
