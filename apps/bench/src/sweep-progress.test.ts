import { describe, expect, it } from 'vitest';
import { SweepProgress } from './sweep-progress';

describe('SweepProgress', () => {
  it('counts done, running and failed jobs per worker and estimates the time left', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = new SweepProgress(6, 1, { write: (text) => lines.push(text) }, () => now);
    expect(progress.eta()).toBeUndefined();
    progress.jobStarted('w1', 'baseline seed 1');
    progress.jobStarted('w2', 'gkd seed 1');
    expect(progress.line()).toBe(
      'sweep: 1/6 done, 2 running, 0 failed, ETA ? | w1: 0 done, running baseline seed 1 | w2: 0 done, running gkd seed 1',
    );
    now = 10_000;
    progress.jobDone('w1');
    progress.jobFailed('w2');
    // 1 job finished here in 10 s, 3 left: 30 s.
    expect(progress.eta()).toBe(30_000);
    expect(progress.line()).toBe(
      'sweep: 2/6 done, 0 running, 1 failed, ETA 30.0 s | w1: 1 done | w2: 0 done, 1 failed',
    );
    expect(lines).toHaveLength(4);
  });
});
