import { describe, expect, it } from 'vitest';
import { jobId } from './job-id';

describe('jobId', () => {
  it('is 16 hex digits and does not depend on key order', () => {
    const a = jobId({ method: 'gkd-dense', seed: 1, spec: { epochs: 2, batchSize: 32 } });
    const b = jobId({ spec: { batchSize: 32, epochs: 2 }, seed: 1, method: 'gkd-dense' });
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(b).toBe(a);
  });

  it('changes with any value, including nested ones and array order', () => {
    const base = { method: 'gkd-dense', seed: 1, losses: [{ loss: 'gkd', weight: 25 }] };
    const id = jobId(base);
    expect(jobId({ ...base, seed: 2 })).not.toBe(id);
    expect(jobId({ ...base, losses: [{ loss: 'gkd', weight: 10 }] })).not.toBe(id);
    expect(jobId({ a: [1, 2] })).not.toBe(jobId({ a: [2, 1] }));
  });
});
