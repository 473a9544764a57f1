import path from 'node:path';
import { InvalidArgumentError } from '@geokd/errors';
import { collectResults, type VariantOutputs } from './collect-results';
import type { FailedJobRecord, JobRecord } from './job-record';
import { JobStore, writeFileAtomic } from './job-store';
import { defaultWorkerCount, runLocalWorkers, threadsPerWorker } from './local-workers';
import { formatDuration } from './markdown-table';
import type { TextSink } from './progress-display';
import { readRedisResults, runRedisSweep } from './redis-queue';
import { disposeBenchContext, prepareBenchContext } from './run-benchmark';
import { type ExpandedSweep, expandSweep } from './sweep-jobs';
import { SweepProgress } from './sweep-progress';
import { loadSweepSpec, type SweepSpec } from './sweep-spec';

/** Options of {@link runSweep} and {@link collectSweep}. */
export interface SweepOptions {
  /** The sweep spec file (JSON or YAML). */
  specFile: string;
  /** Output folder: results of each job, table, charts, results.json. */
  outDir: string;
  /** Teacher cache folder. */
  cacheDir: string;
  /** Folder of the per-job checkpoints. @default `<outDir>/checkpoints` */
  checkpointRoot?: string;
  /** Local worker processes (without `queue`). @default {@link defaultWorkerCount} */
  workers?: number;
  /** `redis://host:port`: put the jobs on this BullMQ queue instead of local workers. */
  queue?: string;
  /** Name of the BullMQ queue. @default 'geokd-bench' */
  queueName?: string;
  /** Run only these job ids. */
  only?: string[];
  /** Run only the jobs that failed before. */
  retryFailed?: boolean;
  /** Milliseconds between two looks at the Redis queue. */
  pollMs?: number;
  /** The CLI script local workers run. */
  cliPath: string;
  /** Where the table and messages go. */
  log: (line: string) => void;
  /** Where the progress lines go. */
  progressSink: TextSink;
}

/** What a sweep ended with. */
export interface SweepOutcome {
  /** The expanded sweep. */
  sweep: ExpandedSweep;
  /** The outputs of each variant (empty when no job has a result yet). */
  variants: VariantOutputs[];
  /** Jobs that failed, with their errors. */
  failed: FailedJobRecord[];
  /** Jobs run by this call. */
  ran: number;
}

function loadSweep(options: SweepOptions): { spec: SweepSpec; sweep: ExpandedSweep } {
  const spec = loadSweepSpec(options.specFile);
  return { spec, sweep: expandSweep(spec) };
}

function storedRecords(store: JobStore, sweep: ExpandedSweep): Map<string, JobRecord> {
  const records = new Map<string, JobRecord>();
  for (const job of sweep.jobs) {
    const record = store.finished(job.id);
    if (record !== undefined) records.set(job.id, record);
  }
  return records;
}

async function aggregate(
  spec: SweepSpec,
  sweep: ExpandedSweep,
  records: Map<string, JobRecord>,
  options: SweepOptions,
): Promise<VariantOutputs[]> {
  if (records.size === 0) return [];
  const context = await prepareBenchContext({
    spec: spec.base,
    cacheDir: options.cacheDir,
    log: options.log,
  });
  try {
    return await collectResults(context, sweep, records, options.outDir, options.log);
  } finally {
    disposeBenchContext(context);
  }
}

function reportFailures(failed: readonly FailedJobRecord[], options: SweepOptions): void {
  if (failed.length === 0) return;
  options.log(`\n${failed.length} job(s) failed:`);
  for (const record of failed) {
    options.log(
      `- ${record.id} (${record.method}, seed ${record.seed}, on ${record.worker}, ${record.attempts} attempt(s)): ${record.error.split('\n')[0]}`,
    );
  }
  options.log(
    `re-run them alone: geokd-bench sweep ${options.specFile} --retry-failed${options.queue ? ` --queue ${options.queue}` : ''}  (or --only <id>)`,
  );
}

/**
 * Runs a sweep: expands the spec into jobs, skips those already finished (their results are in
 * `<outDir>/jobs/`), runs the others on local worker processes or through a Redis queue, and
 * writes the usual table, charts and results.json of each variant.
 */
export async function runSweep(options: SweepOptions): Promise<SweepOutcome> {
  const { spec, sweep } = loadSweep(options);
  const store = new JobStore(options.outDir);
  writeFileAtomic(
    path.join(options.outDir, 'sweep.json'),
    `${JSON.stringify(
      {
        name: spec.name,
        base: spec.base,
        grid: spec.grid,
        variants: sweep.variants,
        jobs: sweep.jobs.map(({ spec: _spec, ...job }) => job),
      },
      null,
      2,
    )}\n`,
  );
  const known = new Set(sweep.jobs.map((job) => job.id));
  for (const id of options.only ?? []) {
    if (!known.has(id)) {
      throw new InvalidArgumentError({
        functionName: 'geokd-bench sweep',
        argument: '--only',
        expected: `ids of this sweep's jobs (see ${path.join(options.outDir, 'sweep.json')})`,
        received: `'${id}'`,
      });
    }
  }
  const records = storedRecords(store, sweep);
  let todo = sweep.jobs.filter((job) => !records.has(job.id));
  if (options.only !== undefined) todo = todo.filter((job) => options.only!.includes(job.id));
  if (options.retryFailed === true && options.queue === undefined) {
    todo = todo.filter((job) => store.failed(job.id) !== undefined);
  }
  options.log(
    `sweep ${spec.name}: ${sweep.jobs.length} jobs in ${sweep.variants.length} variant(s), ${records.size} already finished, ${todo.length} to run`,
  );
  const progress = new SweepProgress(sweep.jobs.length, records.size, options.progressSink);
  let failed: FailedJobRecord[] = [];
  let runStarted = Date.now();
  if (todo.length > 0) {
    // The teacher is trained once, here, and cached before the workers start: local workers
    // (and Redis workers on this machine) load it instead of training it again.
    disposeBenchContext(
      await prepareBenchContext({ spec: spec.base, cacheDir: options.cacheDir, log: options.log }),
    );
    runStarted = Date.now();
    if (options.queue !== undefined) {
      const outcome = await runRedisSweep({
        url: options.queue,
        queueName: options.queueName ?? 'geokd-bench',
        jobs: todo,
        retryFailed: options.retryFailed === true,
        ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
        progress,
        log: (line) => options.progressSink.write(`${line}\n`),
      });
      for (const record of outcome.finished.values()) {
        store.storeFinished(record);
        records.set(record.id, record);
      }
      failed = outcome.failed;
      for (const record of failed) store.storeFailed(record);
    } else {
      const workers = Math.min(
        options.workers ?? defaultWorkerCount(spec.base.backend),
        todo.length,
      );
      options.log(
        `running ${todo.length} job(s) on ${workers} local worker(s), ${threadsPerWorker(workers)} wasm thread(s) each`,
      );
      const outcome = await runLocalWorkers({
        jobs: todo,
        workers,
        threadsPerWorker: threadsPerWorker(workers),
        cliPath: options.cliPath,
        cacheDir: options.cacheDir,
        checkpointRoot: options.checkpointRoot ?? path.join(options.outDir, 'checkpoints'),
        store,
        progress,
        log: options.log,
      });
      for (const record of outcome.finished) records.set(record.id, record);
      failed = outcome.failed;
    }
  }
  if (todo.length > 0) {
    const minutes = (Date.now() - runStarted) / 60_000;
    options.log(
      `ran ${todo.length} job(s) in ${formatDuration(Date.now() - runStarted)}: ${(todo.length / minutes).toFixed(1)} jobs/min`,
    );
  }
  const variants = await aggregate(spec, sweep, records, options);
  reportFailures(failed, options);
  return { sweep, variants, failed, ran: todo.length };
}

/**
 * Builds the table, charts and results.json of a sweep from the stored results (those in
 * Redis when `queue` is given, copied into `<outDir>/jobs/`; else those already there).
 */
export async function collectSweep(options: SweepOptions): Promise<SweepOutcome> {
  const { spec, sweep } = loadSweep(options);
  const store = new JobStore(options.outDir);
  if (options.queue !== undefined) {
    const fromRedis = await readRedisResults(
      options.queue,
      options.queueName ?? 'geokd-bench',
      sweep.jobs.map((job) => job.id),
    );
    for (const record of fromRedis.values()) store.storeFinished(record);
  }
  const records = storedRecords(store, sweep);
  options.log(`sweep ${spec.name}: ${records.size} of ${sweep.jobs.length} jobs have a result`);
  const failed = sweep.jobs
    .filter((job) => !records.has(job.id))
    .map((job) => store.failed(job.id))
    .filter((record): record is FailedJobRecord => record !== undefined);
  const variants = await aggregate(spec, sweep, records, options);
  reportFailures(failed, options);
  return { sweep, variants, failed, ran: 0 };
}
