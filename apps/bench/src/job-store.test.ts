import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobRecord } from './job-record';
import { JobStore, writeFileAtomic } from './job-store';

const record = (id: string): JobRecord => ({
  id,
  run: {
    method: 'baseline',
    seed: 1,
    accuracy: 0.5,
    bestAccuracy: 0.5,
    bestEpoch: 1,
    loss: 1,
    durationMs: 10,
    losses: [],
    history: [],
  },
  panels: [],
  worker: 'test',
  resumedEpochs: 0,
  finishedAt: '2026-11-30T00:00:00.000Z',
});

describe('JobStore', () => {
  it('stores finished jobs atomically (no temporary file left) and clears their failure', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-job-store-'));
    const store = new JobStore(root);
    expect(store.finished('a')).toBeUndefined();
    store.storeFailed({
      id: 'a',
      method: 'baseline',
      seed: 1,
      error: 'boom',
      worker: 'w',
      attempts: 1,
      failedAt: '2026-11-30T00:00:00.000Z',
    });
    expect(store.failed('a')?.error).toBe('boom');
    store.storeFinished(record('a'));
    expect(store.finished('a')).toEqual(record('a'));
    expect(store.failed('a')).toBeUndefined();
    expect(fs.readdirSync(path.join(root, 'jobs'))).toEqual(['a.json']);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('ignores a truncated or foreign file rather than trusting it', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-job-store-'));
    const store = new JobStore(root);
    writeFileAtomic(path.join(root, 'jobs', 'b.json'), '{"id": "b", "run": ');
    writeFileAtomic(path.join(root, 'jobs', 'c.json'), JSON.stringify(record('other')));
    expect(store.finished('b')).toBeUndefined();
    expect(store.finished('c')).toBeUndefined();
    fs.rmSync(root, { recursive: true, force: true });
  });
});
