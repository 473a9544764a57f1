import { describe, expect, it } from 'vitest';
import { planPhaseAxis } from './phase-split-plan';

describe('planPhaseAxis', () => {
  it('splits a 3-tap filter at stride 2 with no padding before into 2 taps and 1 tap', () => {
    // 'same' on 32 → 16: padding 0 before, 1 after.
    const { phaseLength, phases } = planPhaseAxis(16, 32, 3, 2, 0);
    expect(phaseLength).toBe(16);
    // Phase 0 reads taps 0 and 2 (flipped: 2 then 0), phase 1 reads tap 1.
    expect(phases).toEqual([
      { taps: 2, filterStart: 0, cropBefore: 0, cropAfter: 0, padBefore: 1, padAfter: 0 },
      { taps: 1, filterStart: 1, cropBefore: 0, cropAfter: 0, padBefore: 0, padAfter: 0 },
    ]);
  });

  it('gives a 1-tap filter at stride 2 a single non-empty phase', () => {
    const { phases } = planPhaseAxis(16, 32, 1, 2, 0);
    expect(phases.map((p) => p.taps)).toEqual([1, 0]);
    expect(planPhaseAxis(3, 7, 1, 3, 1).phases.map((p) => p.taps)).toEqual([0, 0, 1]);
  });

  it('crops gradient rows that only read padding', () => {
    // 1 tap, stride 3, 3 rows of padding before 4 input rows: gradient row 0 reads padding.
    const { phaseLength, phases } = planPhaseAxis(3, 4, 1, 3, 3);
    expect(phaseLength).toBe(2);
    expect(phases[0]).toEqual({
      taps: 1,
      filterStart: 0,
      cropBefore: 1,
      cropAfter: 0,
      padBefore: 0,
      padAfter: 0,
    });
    expect(phases.slice(1).map((p) => p.taps)).toEqual([0, 0]);
  });

  it('gives every phase the same length, ceil(input / stride)', () => {
    // 'valid' on 9 with a 5-tap filter at stride 2: 3 gradient rows.
    const { phaseLength, phases } = planPhaseAxis(3, 9, 5, 2, 0);
    expect(phaseLength).toBe(5);
    for (const p of phases) {
      // A stride-1 convolution of the kept rows with `taps` taps yields phaseLength rows.
      const kept = 3 - p.cropBefore - p.cropAfter;
      expect(kept + p.padBefore + p.padAfter - p.taps + 1).toBe(phaseLength);
    }
  });

  it('marks phases beyond a short input as empty', () => {
    // A 2-row input at stride 3: phase 2 holds no input row.
    expect(planPhaseAxis(1, 2, 3, 3, 1).phases.map((p) => p.taps)).toEqual([1, 1, 0]);
  });
});
