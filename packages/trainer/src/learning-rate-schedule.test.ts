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
    const schedule = { type: 'multi-step' as const, warmupEpochs: 0 };
    expect(learningRateAt(schedule, 0.1, at(0))).toBe(0.1);
    expect(learningRateAt(schedule, 0.1, at(59))).toBe(0.1);
    expect(learningRateAt(schedule, 0.1, at(60))).toBeCloseTo(0.02, 15);
    expect(learningRateAt(schedule, 0.1, at(119))).toBeCloseTo(0.02, 15);
    expect(learningRateAt(schedule, 0.1, at(120))).toBeCloseTo(0.004, 15);
    expect(learningRateAt(schedule, 0.1, at(160))).toBeCloseTo(0.0008, 15);
    expect(learningRateAt(schedule, 0.1, at(199))).toBeCloseTo(0.0008, 15);
  });

  it('accepts custom milestones and gamma', () => {
    const schedule = {
      type: 'multi-step' as const,
      milestones: [0.5],
      gamma: 0.1,
      warmupEpochs: 0,
    };
    expect(learningRateAt(schedule, 1, at(4, 0, 10))).toBe(1);
    expect(learningRateAt(schedule, 1, at(5, 0, 10))).toBeCloseTo(0.1, 15);
  });

  it('follows half a cosine per step from the base rate to the minimum (tolerance 1e-12)', () => {
    const schedule = { type: 'cosine' as const, minLearningRate: 0.01, warmupEpochs: 0 };
    expect(learningRateAt(schedule, 0.1, at(0, 0, 4, 10))).toBeCloseTo(0.1, 12);
    // Half-way: 20 of 40 steps done.
    expect(learningRateAt(schedule, 0.1, at(2, 0, 4, 10))).toBeCloseTo(0.055, 12);
    // A quarter: 10 of 40 steps, (1 + cos(pi/4)) / 2 of the range above the minimum.
    const expected = 0.01 + (0.09 * (1 + Math.SQRT1_2)) / 2;
    expect(learningRateAt(schedule, 0.1, at(0, 10, 4, 10))).toBeCloseTo(expected, 12);
    expect(learningRateAt(schedule, 0.1, at(1, 0, 4, 10))).toBeCloseTo(expected, 12);
  });

  it('keeps the base rate with the constant schedule (no warm-up by default)', () => {
    expect(learningRateAt({ type: 'constant' }, 0.05, at(150))).toBe(0.05);
    expect(learningRateAt({ type: 'constant' }, 0.05, at(0))).toBe(0.05);
  });
});

describe('warm-up', () => {
  it('rises linearly over the first epoch of the default multi-step and cosine schedules', () => {
    // 10 steps per epoch: step s of epoch 0 gets (s + 1) / 10 of the rate.
    for (const schedule of [{ type: 'multi-step' as const }, { type: 'cosine' as const }]) {
      const plain = (epoch: number, step: number) =>
        learningRateAt({ ...schedule, warmupEpochs: 0 }, 0.1, at(epoch, step));
      expect(plain(0, 0)).toBe(0.1);
      expect(learningRateAt(schedule, 0.1, at(0, 0))).toBeCloseTo(0.01, 15);
      expect(learningRateAt(schedule, 0.1, at(0, 4))).toBeCloseTo(plain(0, 4) * 0.5, 15);
      expect(learningRateAt(schedule, 0.1, at(0, 9))).toBe(plain(0, 9));
      expect(learningRateAt(schedule, 0.1, at(1, 0))).toBe(plain(1, 0));
    }
  });

  it('scales the schedule’s own rate, and caps the default at 20 % of a short run', () => {
    // 5 epochs of 10 steps: the default warm-up is min(1, 0.2 × 5) = 1 epoch.
    expect(learningRateAt({ type: 'multi-step' }, 0.1, at(0, 1, 5))).toBeCloseTo(0.02, 15);
    // 2 epochs: 0.4 epoch = 4 steps.
    expect(learningRateAt({ type: 'multi-step' }, 0.1, at(0, 1, 2))).toBeCloseTo(0.05, 15);
    expect(learningRateAt({ type: 'multi-step' }, 0.1, at(0, 4, 2))).toBe(0.1);
    // An explicit warm-up on a cosine schedule multiplies the cosine value: 2.5 epochs = 25 steps.
    const cosine = { type: 'cosine' as const, warmupEpochs: 2.5 };
    const plain = learningRateAt({ type: 'cosine', warmupEpochs: 0 }, 0.1, at(1, 5, 10));
    expect(learningRateAt(cosine, 0.1, at(1, 5, 10))).toBeCloseTo((plain * 16) / 25, 15);
    // warmupEpochs: 0 turns it off, and a constant schedule may ask for one.
    expect(learningRateAt({ type: 'multi-step', warmupEpochs: 0 }, 0.1, at(0, 0))).toBe(0.1);
    expect(learningRateAt({ type: 'constant', warmupEpochs: 1 }, 0.1, at(0, 1))).toBeCloseTo(
      0.02,
      15,
    );
  });

  it('rejects a negative or non-finite warm-up', () => {
    expect(() => validateSchedule({ type: 'cosine', warmupEpochs: -1 }, 'distill')).toThrow(
      'distill: schedule.warmupEpochs must be a finite number >= 0, received -1',
    );
    expect(() =>
      validateSchedule({ type: 'constant', warmupEpochs: Number.NaN }, 'distill'),
    ).toThrow('distill: schedule.warmupEpochs must be a finite number >= 0, received NaN');
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
