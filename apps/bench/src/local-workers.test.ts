import { describe, expect, it } from 'vitest';
import { defaultWorkerCount, threadsPerWorker } from './local-workers';

describe('local worker sizing', () => {
  it('runs one worker per two cores on wasm and cpu, one on the native backend', () => {
    expect(defaultWorkerCount('wasm', 2)).toBe(1);
    expect(defaultWorkerCount(undefined, 16)).toBe(8);
    expect(defaultWorkerCount('cpu', 1)).toBe(1);
    expect(defaultWorkerCount('tensorflow', 16)).toBe(1);
  });

  it('never gives workers × threads more than the cores (at least one thread each)', () => {
    for (const cores of [1, 2, 3, 8, 16, 64]) {
      for (const workers of [1, 2, 3, 5, 8]) {
        const threads = threadsPerWorker(workers, cores);
        expect(threads).toBeGreaterThanOrEqual(1);
        expect(threads).toBeLessThanOrEqual(8);
        if (workers <= cores) expect(workers * threads).toBeLessThanOrEqual(cores);
      }
    }
    expect(threadsPerWorker(2, 16)).toBe(8);
    expect(threadsPerWorker(3, 2)).toBe(1);
  });
});
