import { describe, expect, it } from 'vitest';
import { formatSeconds, projectProtocol } from './protocol-projection';

describe('projectProtocol', () => {
  it('multiplies each piece by its count, the teacher once and each method per seed', () => {
    const projection = projectProtocol(
      { epochs: 2, stepsPerEpoch: 10, evalBatchesPerEpoch: 3, seeds: 5 },
      {
        teacherStepMs: 100,
        teacherEvalMs: 50,
        studentEvalMs: 20,
        methodStepMs: { baseline: 40, gkd: 60 },
      },
    );
    // Teacher epoch: 10 × 100 + 3 × 50 = 1,150 ms; two epochs 2.3 s.
    expect(projection.teacherSeconds).toBeCloseTo(2.3, 12);
    // Baseline epoch: 10 × 40 + 3 × 20 = 460 ms; GKD epoch: 10 × 60 + 3 × 20 = 660 ms.
    expect(projection.epochSeconds).toEqual({ baseline: 0.46, gkd: 0.66 });
    expect(projection.runSeconds.baseline).toBeCloseTo(0.92, 12);
    expect(projection.runSeconds.gkd).toBeCloseTo(1.32, 12);
    // 2.3 + 5 × (0.92 + 1.32) = 13.5 s.
    expect(projection.totalSeconds).toBeCloseTo(13.5, 12);
  });

  it('is the teacher alone without methods', () => {
    const projection = projectProtocol(
      { epochs: 1, stepsPerEpoch: 1, evalBatchesPerEpoch: 0, seeds: 10 },
      { teacherStepMs: 1000, teacherEvalMs: 5, studentEvalMs: 5, methodStepMs: {} },
    );
    expect(projection.totalSeconds).toBe(1);
    expect(projection.runSeconds).toEqual({});
  });
});

describe('formatSeconds', () => {
  it('writes seconds, minutes, hours and days', () => {
    expect(formatSeconds(12.34)).toBe('12.3 s');
    expect(formatSeconds(245)).toBe('4 min 5 s');
    expect(formatSeconds(3599.6)).toBe('1 h 0 min');
    expect(formatSeconds(4980)).toBe('1 h 23 min');
    expect(formatSeconds(3 * 86400)).toBe('3.0 days');
    expect(formatSeconds(Number.NaN)).toBe('n/a');
  });
});
