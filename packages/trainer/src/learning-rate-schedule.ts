import { InvalidArgumentError } from '@geokd/errors';

/**
 * Linear learning-rate warm-up, shared by every schedule: over the first `warmupEpochs` the
 * rate rises linearly, step by step, from `base / warmupSteps` to the schedule's rate.
 *
 * Why: in the first steps a fresh student's features are tiny and its logits far from the
 * teacher's, so relational and softened-logit terms (GKD at weight 25, Hinton at T = 4) give
 * gradients many times those of the cross-entropy alone; at the full SGD rate 0.1 with momentum
 * 0.9 one such step can kill every ReLU (the student then sits at chance).
 */
export interface WarmupOptions {
  /**
   * Epochs (may be fractional) of linear warm-up. `0` turns it off.
   * @default 1 for multi-step and cosine, capped at 20 % of the epochs; 0 for constant
   */
  warmupEpochs?: number;
}

/**
 * Multi-step decay: the learning rate is multiplied by `gamma` at each milestone, given as a
 * fraction of the epochs (the seed's 60/120/160 of 200 epochs are 0.3/0.6/0.8).
 */
export interface MultiStepSchedule extends WarmupOptions {
  type: 'multi-step';
  /** Milestones as fractions of training in (0, 1), ascending. @default [0.3, 0.6, 0.8] */
  milestones?: number[];
  /** Factor applied at each milestone. @default 0.2 */
  gamma?: number;
}

/** Cosine annealing from the base learning rate to `minLearningRate`, updated every step. */
export interface CosineSchedule extends WarmupOptions {
  type: 'cosine';
  /** Learning rate reached at the end of training. @default 0 */
  minLearningRate?: number;
}

/** The base learning rate throughout. */
export interface ConstantSchedule extends WarmupOptions {
  type: 'constant';
}

/** A learning-rate schedule: multi-step decay, cosine annealing or constant. */
export type LearningRateSchedule = MultiStepSchedule | CosineSchedule | ConstantSchedule;

/** Where training stands, for {@link learningRateAt}. */
export interface SchedulePosition {
  /** Epoch index, counted from 0. */
  epoch: number;
  /** Step within the epoch, counted from 0. */
  step: number;
  /** Steps in one epoch. */
  stepsPerEpoch: number;
  /** Epochs of the whole run. */
  epochs: number;
}

const SCHEDULE_TYPES = ['multi-step', 'cosine', 'constant'] as const;

/**
 * Checks a schedule's fields; the trainer calls it before training starts.
 *
 * @throws InvalidArgumentError for an unknown type, milestones outside (0, 1) or not ascending,
 *   a non-positive `gamma` or a negative `minLearningRate`.
 */
export function validateSchedule(schedule: LearningRateSchedule, functionName: string): void {
  if (!SCHEDULE_TYPES.includes(schedule.type)) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'schedule.type',
      expected: `one of ${SCHEDULE_TYPES.join(', ')}`,
      received: String(schedule.type),
    });
  }
  if (
    schedule.warmupEpochs !== undefined &&
    !(schedule.warmupEpochs >= 0 && Number.isFinite(schedule.warmupEpochs))
  ) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'schedule.warmupEpochs',
      expected: 'a finite number >= 0',
      received: String(schedule.warmupEpochs),
    });
  }
  if (schedule.type === 'multi-step') {
    const milestones = schedule.milestones ?? [];
    for (let i = 0; i < milestones.length; i++) {
      const value = milestones[i]!;
      if (!(value > 0 && value < 1)) {
        throw new InvalidArgumentError({
          functionName,
          argument: `schedule.milestones[${i}]`,
          expected: 'a fraction of training in (0, 1)',
          received: String(value),
        });
      }
      if (i > 0 && value <= milestones[i - 1]!) {
        throw new InvalidArgumentError({
          functionName,
          argument: 'schedule.milestones',
          expected: 'strictly ascending',
          received: `[${milestones.join(', ')}]`,
        });
      }
    }
    if (schedule.gamma !== undefined && !(schedule.gamma > 0 && Number.isFinite(schedule.gamma))) {
      throw new InvalidArgumentError({
        functionName,
        argument: 'schedule.gamma',
        expected: 'a finite number > 0',
        received: String(schedule.gamma),
      });
    }
  }
  if (schedule.type === 'cosine' && schedule.minLearningRate !== undefined) {
    if (!(schedule.minLearningRate >= 0 && Number.isFinite(schedule.minLearningRate))) {
      throw new InvalidArgumentError({
        functionName,
        argument: 'schedule.minLearningRate',
        expected: 'a finite number >= 0',
        received: String(schedule.minLearningRate),
      });
    }
  }
}

/**
 * The learning rate at a position in training.
 *
 * The schedule's rate is scaled by the linear warm-up ({@link WarmupOptions}) over its first
 * steps. Multi-step decays at epoch boundaries (milestone epoch = round(fraction × epochs), as
 * PyTorch's `MultiStepLR` stepped once per epoch); cosine moves every step.
 *
 * @example
 * ```ts
 * learningRateAt({ type: 'multi-step' }, 0.1, { epoch: 60, step: 0, stepsPerEpoch: 391, epochs: 200 });
 * // 0.02
 * ```
 */
export function learningRateAt(
  schedule: LearningRateSchedule,
  baseLearningRate: number,
  position: SchedulePosition,
): number {
  return scheduledRate(schedule, baseLearningRate, position) * warmupFactor(schedule, position);
}

/** The warm-up in epochs: the schedule's own, else one epoch for the decaying schedules (at most 20 % of training). */
function defaultWarmupEpochs(schedule: LearningRateSchedule, epochs: number): number {
  if (schedule.warmupEpochs !== undefined) return schedule.warmupEpochs;
  return schedule.type === 'constant' ? 0 : Math.min(1, 0.2 * epochs);
}

function warmupFactor(schedule: LearningRateSchedule, position: SchedulePosition): number {
  const warmupSteps = Math.round(
    defaultWarmupEpochs(schedule, position.epochs) * position.stepsPerEpoch,
  );
  const done = position.epoch * position.stepsPerEpoch + position.step;
  return warmupSteps > 0 && done < warmupSteps ? (done + 1) / warmupSteps : 1;
}

function scheduledRate(
  schedule: LearningRateSchedule,
  baseLearningRate: number,
  position: SchedulePosition,
): number {
  switch (schedule.type) {
    case 'constant':
      return baseLearningRate;
    case 'multi-step': {
      const milestones = schedule.milestones ?? [0.3, 0.6, 0.8];
      const gamma = schedule.gamma ?? 0.2;
      let passed = 0;
      for (const fraction of milestones) {
        if (position.epoch >= Math.round(fraction * position.epochs)) passed++;
      }
      return baseLearningRate * gamma ** passed;
    }
    case 'cosine': {
      const minimum = schedule.minLearningRate ?? 0;
      const total = position.epochs * position.stepsPerEpoch;
      const done = position.epoch * position.stepsPerEpoch + position.step;
      const progress = total > 0 ? Math.min(1, done / total) : 0;
      return minimum + ((baseLearningRate - minimum) * (1 + Math.cos(Math.PI * progress))) / 2;
    }
  }
}
