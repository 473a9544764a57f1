import os from 'node:os';
import { type Job, Worker } from 'bullmq';
import { parseRedisUrl, queueKeys } from './redis-connection';
import { SweepJobRunner } from './sweep-job-runner';
import type { SweepJob } from './sweep-jobs';

/** The Redis hash commands the worker uses (ioredis has them all). */
interface RedisHashCommands {
  hexists(key: string, field: string): Promise<number>;
  hsetnx(key: string, field: string, value: string): Promise<number>;
  hincrby(key: string, field: string, increment: number): Promise<number>;
}

/** Options of {@link runRedisWorker}. */
export interface RedisWorkerOptions {
  /** `redis://host:port`. */
  url: string;
  /** Name of the BullMQ queue. */
  queueName: string;
  /** Teacher cache folder. */
  cacheDir: string;
  /** Folder of the per-job checkpoints (share it between the workers of a machine). */
  checkpointRoot: string;
  /**
   * Milliseconds after which the job of a silent worker counts as stalled and goes to another
   * worker (BullMQ's lock duration and stalled-check interval). @default 30000
   */
  stallMs?: number;
  /** Name of this worker in the progress lines. @default `<host>[pid <pid>]` */
  name?: string;
  /** Where messages go. */
  log: (line: string) => void;
}

/**
 * Pulls sweep jobs from the BullMQ queue and runs them one at a time, until SIGINT/SIGTERM.
 * Each result (run record and history) is stored in a Redis hash keyed by job id, first
 * writer wins; a job whose result is already stored is not run again.
 */
export async function runRedisWorker(options: RedisWorkerOptions): Promise<void> {
  const name = options.name ?? `${os.hostname()}[pid ${process.pid}]`;
  const keys = queueKeys(options.queueName);
  const stallMs = options.stallMs ?? 30_000;
  const runner = new SweepJobRunner({
    worker: name,
    cacheDir: options.cacheDir,
    checkpointRoot: options.checkpointRoot,
    log: options.log,
  });
  const worker: Worker = new Worker(
    options.queueName,
    async (job: Job): Promise<{ alreadyStored: boolean }> => {
      const sweepJob = job.data as SweepJob;
      // BullMQ's client is ioredis, which has every Redis command; its own typing lists a few.
      const client = (await worker.client) as unknown as RedisHashCommands;
      if ((await client.hexists(keys.results, sweepJob.id)) === 1) return { alreadyStored: true };
      await job.updateProgress({ worker: name });
      options.log(`${name}: running ${sweepJob.method} seed ${sweepJob.seed} (${sweepJob.id})`);
      const record = await runner.run(sweepJob, (epoch) => {
        void job.updateProgress({ worker: name, epoch }).catch(() => undefined);
      });
      const stored = await client.hsetnx(keys.results, sweepJob.id, JSON.stringify(record));
      await client.hincrby(keys.completions, sweepJob.id, 1);
      options.log(
        `${name}: finished ${sweepJob.id}, test accuracy ${(record.run.accuracy * 100).toFixed(2)} %`,
      );
      return { alreadyStored: stored === 0 };
    },
    {
      connection: parseRedisUrl(options.url),
      concurrency: 1,
      lockDuration: stallMs,
      stalledInterval: stallMs,
      maxStalledCount: 3,
    },
  );
  worker.on('error', (error: Error) => options.log(`${name}: ${error.message}`));
  options.log(`${name}: waiting for jobs on ${options.queueName}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      options.log(`${name}: stopping`);
      void worker.close().then(() => {
        runner.dispose();
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
