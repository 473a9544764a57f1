import fs from 'node:fs';
import path from 'node:path';
import type { BenchSpec } from './bench-spec';
import type { JobRecord } from './job-record';
import {
  type BenchContext,
  disposeBenchContext,
  prepareBenchContext,
  runStudent,
} from './run-benchmark';
import type { SweepJob } from './sweep-jobs';
import { canonicalJson } from './teacher-cache';

/** What a worker needs to run jobs. */
export interface SweepJobRunnerOptions {
  /** Name of the worker, recorded with each result. */
  worker: string;
  /** Teacher cache folder (shared by the workers of one machine). */
  cacheDir: string;
  /** Folder of the per-job checkpoints (`<id>/`), shared by the workers of one machine. */
  checkpointRoot: string;
  /** Where messages go. */
  log: (line: string) => void;
}

/** The part of a spec a context depends on (not the methods, seeds or weights of the runs). */
function contextKey(spec: BenchSpec): string {
  const {
    methods: _methods,
    seeds: _seeds,
    lossWeights: _weights,
    preset: _preset,
    ...rest
  } = spec;
  return canonicalJson(rest);
}

/**
 * Runs sweep jobs in this process: keeps one context (data, teacher from the cache) per
 * distinct spec, and runs each job from its last checkpoint when an earlier attempt left one.
 */
export class SweepJobRunner {
  private readonly contexts = new Map<string, BenchContext>();

  constructor(private readonly options: SweepJobRunnerOptions) {}

  private async contextOf(spec: BenchSpec): Promise<BenchContext> {
    const key = contextKey(spec);
    let context = this.contexts.get(key);
    if (context === undefined) {
      context = await prepareBenchContext({
        spec,
        cacheDir: this.options.cacheDir,
        log: this.options.log,
      });
      this.contexts.set(key, context);
    }
    return context;
  }

  /** Runs one job; `onEpoch` hears each finished epoch. */
  async run(job: SweepJob, onEpoch?: (epoch: number) => void): Promise<JobRecord> {
    const context = await this.contextOf(job.spec);
    const checkpointDir = path.join(this.options.checkpointRoot, job.id);
    const { run, panels, resumedEpochs } = await runStudent(
      context,
      {
        method: job.method,
        seed: job.seed,
        ...(job.lossWeights ? { lossWeights: job.lossWeights } : {}),
        ...(job.lossOptions ? { lossOptions: job.lossOptions } : {}),
      },
      {
        checkpointDir,
        panelLabel: `${job.method}, after`,
        onEvent: (event) => {
          const record = event as { type?: string; epoch?: number };
          // Progress counts checkpointed epochs: a worker killed after this report loses nothing.
          if (record.type === 'checkpoint' && typeof record.epoch === 'number') {
            onEpoch?.(record.epoch);
          }
        },
      },
    );
    fs.rmSync(checkpointDir, { recursive: true, force: true });
    return {
      id: job.id,
      run,
      panels,
      worker: this.options.worker,
      resumedEpochs,
      finishedAt: new Date().toISOString(),
    };
  }

  /** Frees every context. */
  dispose(): void {
    for (const context of this.contexts.values()) disposeBenchContext(context);
    this.contexts.clear();
  }
}
