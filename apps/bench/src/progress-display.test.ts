import { describe, expect, it } from 'vitest';
import { ProgressDisplay } from './progress-display';

function setup(isTTY: boolean) {
  let output = '';
  let clock = 0;
  const display = new ProgressDisplay({
    totalRuns: 2,
    studentEpochs: 2,
    teacherEpochs: 1,
    sink: { write: (text: string) => (output += text), isTTY },
    now: () => clock,
  });
  return { display, advance: (ms: number) => (clock += ms), output: () => output };
}

describe('ProgressDisplay', () => {
  it('prints runs done / total, the epoch and an ETA from the measured epoch times', () => {
    const { display, advance, output } = setup(false);
    display.startRun('teacher', 'teacher t');
    display.onEvent({ type: 'epoch-start' });
    advance(10_000);
    display.onEvent({ type: 'epoch-end', test: { accuracy: 0.9 } });
    expect(output()).toContain('[runs 0/2] teacher t · epoch 1/1 · ETA – · test acc 90.00 %');
    display.endRun('done');
    display.startRun('student', 'gkd (seed 1)');
    display.onEvent({ type: 'epoch-start' });
    advance(2000);
    display.onEvent({ type: 'epoch-end' });
    // 3 student epochs left at 2 s each.
    expect(output()).toContain('[runs 0/2] gkd (seed 1) · epoch 1/2 · ETA 6.0 s');
    display.onEvent({ type: 'epoch-start' });
    advance(2000);
    display.onEvent({ type: 'epoch-end' });
    display.endRun('test accuracy 80.00 %');
    expect(output()).toContain('[runs 1/2] gkd (seed 1): test accuracy 80.00 %');
    expect(display.etaMs()).toBe(4000);
  });

  it('rewrites one line in place on a terminal, showing the step', () => {
    const { display, advance, output } = setup(true);
    display.startRun('student', 'baseline (seed 1)');
    advance(500);
    display.onEvent({ type: 'step', step: 3, stepsPerEpoch: 10 });
    expect(output()).toContain('\r\x1b[2K[runs 0/2] baseline (seed 1) · epoch 1/2 · step 3/10');
  });

  it('prints nothing per step when not on a terminal', () => {
    const { display, output } = setup(false);
    display.startRun('student', 'baseline (seed 1)');
    display.onEvent({ type: 'step', step: 3, stepsPerEpoch: 10 });
    expect(output()).toBe('');
  });
});
