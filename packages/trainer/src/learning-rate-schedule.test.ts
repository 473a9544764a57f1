import { describe, expect, it } from 'vitest';
import { learningRateAt, validateSchedule } from './learning-rate-schedule';

const at = (epoch: number, step = 0, epochs = 200, stepsPerEpoch = 10) => ({
  epoch,
  step,
  stepsPerEpoch,
  epochs,
});

describe('learningRateAt', () => {
  it('decays by 0.2 at 30, 60 and 80 % of training like the seed (60/120/160 of 200)', () => {
    const schedule = { type: 'multi-step' as const };
    expect(learningRateAt(schedule, 0.1, at(0))).toBe(0.1);
    expect(learningRateAt(schedule, 0.1, at(59))).toBe(0.1);
    expect(learningRateAt(schedule, 0.1, at(60))).toBeCloseTo(0.02, 15);
    expect(learningRateAt(schedule, 0.1, at(119))).toBeCloseTo(0.02, 15);
    expect(learningRateAt(schedule, 0.1, at(120))).toBeCloseTo(0.004, 15);
    expect(learningRateAt(schedule, 0.1, at(160))).toBeCloseTo(0.0008, 15);
    expect(learningRateAt(schedule, 0.1, at(199))).toBeCloseTo(0.0008, 15);
  });

  it('accepts custom milestones and gamma', () => {
    const schedule = { type: 'multi-step' as const, milestones: [0.5], gamma: 0.1 };
    expect(learningRateAt(schedule, 1, at(4, 0, 10))).toBe(1);
    expect(learningRateAt(schedule, 1, at(5, 0, 10))).toBeCloseTo(0.1, 15);
  });

  it('follows half a cosine per step from the base rate to the minimum (tolerance 1e-12)', () => {
    const schedule = { type: 'cosine' as const, minLearningRate: 0.01 };
    expect(learningRateAt(schedule, 0.1, at(0, 0, 4, 10))).toBeCloseTo(0.1, 12);
    // Half-way: 20 of 40 steps done.
    expect(learningRateAt(schedule, 0.1, at(2, 0, 4, 10))).toBeCloseTo(0.055, 12);
    // A quarter: 10 of 40 steps, (1 + cos(pi/4)) / 2 of the range above the minimum.
    const expected = 0.01 + (0.09 * (1 + Math.SQRT1_2)) / 2;
    expect(learningRateAt(schedule, 0.1, at(0, 10, 4, 10))).toBeCloseTo(expected, 12);
    expect(learningRateAt(schedule, 0.1, at(1, 0, 4, 10))).toBeCloseTo(expected, 12);
  });

  it('keeps the base rate with the constant schedule', () => {
    expect(learningRateAt({ type: 'constant' }, 0.05, at(150))).toBe(0.05);
  });
});

describe('validateSchedule', () => {
  it('rejects an unknown type, bad milestones, gamma and minimum, naming the field', () => {
    expect(() => validateSchedule({ type: 'step' } as never, 'trainTeacher')).toThrow(
      'trainTeacher: schedule.type must be one of multi-step, cosine, constant, received step',
    );
    expect(() =>
      validateSchedule({ type: 'multi-step', milestones: [0.3, 1.2] }, 'trainTeacher'),
    ).toThrow(
      'trainTeacher: schedule.milestones[1] must be a fraction of training in (0, 1), received 1.2',
    );
    expect(() =>
      validateSchedule({ type: 'multi-step', milestones: [0.6, 0.3] }, 'trainTeacher'),
    ).toThrow('trainTeacher: schedule.milestones must be strictly ascending, received [0.6, 0.3]');
    expect(() => validateSchedule({ type: 'multi-step', gamma: 0 }, 'distill')).toThrow(
      'distill: schedule.gamma must be a finite number > 0, received 0',
    );
    expect(() => validateSchedule({ type: 'cosine', minLearningRate: -1 }, 'distill')).toThrow(
      'distill: schedule.minLearningRate must be a finite number >= 0, received -1',
    );
  });
});
