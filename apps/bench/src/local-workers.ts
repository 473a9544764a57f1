import { type ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import type { FailedJobRecord, JobRecord } from './job-record';
import type { JobStore } from './job-store';
import type { SweepJob } from './sweep-jobs';
import type { SweepProgress } from './sweep-progress';

/** A message from a local worker process to the coordinator. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'started'; id: string }
  | { type: 'done'; record: JobRecord }
  | { type: 'failed'; id: string; error: string };

/** A message from the coordinator to a local worker process. */
export type CoordinatorMessage = { type: 'job'; job: SweepJob } | { type: 'stop' };

/** Options of {@link runLocalWorkers}. */
export interface LocalWorkersOptions {
  /** Jobs to run. */
  jobs: readonly SweepJob[];
  /** Worker processes. */
  workers: number;
  /** `GEOKD_WASM_THREADS` of each worker. */
  threadsPerWorker: number;
  /** Path of the CLI script the workers run (`geokd-bench worker --ipc`). */
  cliPath: string;
  /** Teacher cache folder. */
  cacheDir: string;
  /** Folder of the per-job checkpoints. */
  checkpointRoot: string;
  /** Where finished and failed jobs are stored. */
  store: JobStore;
  /** Progress of the sweep. */
  progress: SweepProgress;
  /** Attempts of a job whose worker dies before it finishes. @default 3 */
  maxAttempts?: number;
  /** Where messages go. */
  log: (line: string) => void;
}

/** What {@link runLocalWorkers} got done. */
export interface LocalWorkersOutcome {
  /** Jobs finished in this call. */
  finished: JobRecord[];
  /** Jobs that failed for good. */
  failed: FailedJobRecord[];
}

/**
 * Worker processes that make sense on this machine for a backend: on wasm (and cpu) one per
 * two cores (each with two threads), so workers × threads never exceeds the cores; one with
 * the native `tensorflow` backend, which uses every core itself.
 */
export function defaultWorkerCount(backend: string | undefined, cores = os.cpus().length): number {
  // Native TensorFlow uses every core itself; one GPU is best fed by one process.
  if (backend === 'tensorflow' || backend === 'webgpu') return 1;
  return Math.max(1, Math.floor(cores / 2));
}

/** Wasm threads per worker so that workers × threads ≤ cores. */
export function threadsPerWorker(workers: number, cores = os.cpus().length): number {
  return Math.max(1, Math.min(8, Math.floor(cores / workers)));
}

const jobLabel = (job: SweepJob) => `${job.method} seed ${job.seed} (${job.id})`;

/**
 * Runs jobs on `workers` child processes of this machine. A worker that dies mid-job (killed,
 * out of memory) is replaced and its job given to the next free worker, which resumes it from
 * its last checkpoint; after `maxAttempts` the job is recorded as failed. Every finished job is
 * stored (atomically) the moment it is reported.
 */
export function runLocalWorkers(options: LocalWorkersOptions): Promise<LocalWorkersOutcome> {
  const maxAttempts = options.maxAttempts ?? 3;
  const queue = [...options.jobs];
  const attempts = new Map<string, number>();
  const outcome: LocalWorkersOutcome = { finished: [], failed: [] };
  const total = options.jobs.length;
  let settled = 0;
  let nextName = 1;
  const live = new Set<ChildProcess>();

  return new Promise((resolve) => {
    const finishIfDone = () => {
      if (settled === total && live.size === 0) resolve(outcome);
    };
    const fail = (job: SweepJob, worker: string, error: string) => {
      const record: FailedJobRecord = {
        id: job.id,
        method: job.method,
        seed: job.seed,
        error,
        worker,
        attempts: attempts.get(job.id) ?? 1,
        failedAt: new Date().toISOString(),
      };
      options.store.storeFailed(record);
      outcome.failed.push(record);
      settled += 1;
      options.progress.jobFailed(worker);
    };
    const spawn = () => {
      const child = fork(
        options.cliPath,
        [
          'worker',
          '--ipc',
          '--cache-dir',
          options.cacheDir,
          '--checkpoint-dir',
          options.checkpointRoot,
        ],
        {
          env: { ...process.env, GEOKD_WASM_THREADS: String(options.threadsPerWorker) },
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        },
      );
      const name = `local-${nextName++}[pid ${child.pid}]`;
      let current: SweepJob | undefined;
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
      });
      live.add(child);
      const giveWork = () => {
        current = queue.shift();
        if (current === undefined) {
          child.send({ type: 'stop' } satisfies CoordinatorMessage);
          return;
        }
        attempts.set(current.id, (attempts.get(current.id) ?? 0) + 1);
        child.send({ type: 'job', job: current } satisfies CoordinatorMessage);
        options.progress.jobStarted(name, jobLabel(current));
      };
      child.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') giveWork();
        else if (message.type === 'done' && current !== undefined) {
          options.store.storeFinished(message.record);
          outcome.finished.push(message.record);
          settled += 1;
          current = undefined;
          options.progress.jobDone(name);
          giveWork();
        } else if (message.type === 'failed' && current !== undefined) {
          fail(current, name, message.error);
          current = undefined;
          giveWork();
        }
      });
      child.on('exit', (code, signal) => {
        live.delete(child);
        if (current !== undefined) {
          const job = current;
          current = undefined;
          const why = `worker ${name} exited (${signal ?? `code ${code}`}) while running it${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`;
          if ((attempts.get(job.id) ?? 0) < maxAttempts) {
            options.log(`${jobLabel(job)}: ${why}; retrying`);
            queue.unshift(job);
            options.progress.jobLost(name);
          } else {
            fail(job, name, why);
          }
        }
        if (queue.length > 0 && live.size < options.workers) spawn();
        finishIfDone();
      });
    };
    if (total === 0) {
      resolve(outcome);
      return;
    }
    for (let index = 0; index < Math.min(options.workers, total); index += 1) spawn();
  });
}
