import { Queue } from 'bullmq';
import type { FailedJobRecord, JobRecord } from './job-record';
import { parseRedisUrl, queueKeys } from './redis-connection';
import type { SweepJob } from './sweep-jobs';
import type { SweepProgress } from './sweep-progress';

/** Options of {@link runRedisSweep}. */
export interface RedisSweepOptions {
  /** `redis://host:port`. */
  url: string;
  /** Name of the BullMQ queue. */
  queueName: string;
  /** Jobs to run (those without a stored result are queued). */
  jobs: readonly SweepJob[];
  /** Put jobs that failed on the queue again. */
  retryFailed: boolean;
  /** Attempts of a job that throws before it is recorded as failed. @default 2 */
  attempts?: number;
  /** Milliseconds between two looks at the queue. @default 1000 */
  pollMs?: number;
  /** Progress of the sweep. */
  progress: SweepProgress;
  /** Where messages go. */
  log: (line: string) => void;
}

/** What the queue holds for a set of jobs. */
export interface RedisSweepOutcome {
  /** Stored results by job id. */
  finished: Map<string, JobRecord>;
  /** Jobs that failed for good. */
  failed: FailedJobRecord[];
}

/**
 * The BullMQ job id of a sweep job: prefixed, because BullMQ refuses custom ids that read as
 * integers, which a hex hash can (all digits).
 */
export const queueJobId = (id: string): string => `job-${id}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The stored results of these job ids in Redis (missing ones are absent from the map). */
export async function readRedisResults(
  url: string,
  queueName: string,
  ids: readonly string[],
): Promise<Map<string, JobRecord>> {
  const queue = new Queue(queueName, { connection: parseRedisUrl(url) });
  try {
    return await resultsOf(queue, queueName, ids);
  } finally {
    await queue.close();
  }
}

async function resultsOf(
  queue: Queue,
  queueName: string,
  ids: readonly string[],
): Promise<Map<string, JobRecord>> {
  const found = new Map<string, JobRecord>();
  if (ids.length === 0) return found;
  const client = await queue.client;
  const values = await client.hmget(queueKeys(queueName).results, ...ids);
  values.forEach((value, index) => {
    if (value !== null) found.set(ids[index]!, JSON.parse(value) as JobRecord);
  });
  return found;
}

/**
 * Puts the jobs without a stored result on the BullMQ queue (the job id is the BullMQ job id,
 * so a job already waiting or running is not added twice), then waits until every job is
 * finished or failed, showing progress per worker. Survives a Redis restart: the queue is
 * read again once Redis answers.
 */
export async function runRedisSweep(options: RedisSweepOptions): Promise<RedisSweepOutcome> {
  const queue = new Queue(options.queueName, { connection: parseRedisUrl(options.url) });
  queue.on('error', () => {
    // Connection errors while Redis restarts: ioredis reconnects; the poll loop reports them.
  });
  const pollMs = options.pollMs ?? 1000;
  const ids = options.jobs.map((job) => job.id);
  try {
    const stored = await resultsOf(queue, options.queueName, ids);
    for (const job of options.jobs) {
      if (stored.has(job.id)) continue;
      const existing = await queue.getJob(queueJobId(job.id));
      if (existing !== undefined) {
        const state = await existing.getState();
        if (state === 'failed' && options.retryFailed) await existing.retry('failed');
        if (state !== 'completed') continue;
        // Completed without a stored result (its result was deleted): run it again.
        await existing.remove();
      }
      await queue.add('student-run', job, {
        jobId: queueJobId(job.id),
        attempts: options.attempts ?? 2,
        removeOnComplete: true,
        removeOnFail: false,
      });
    }
    let lastLine = '';
    let lastError = '';
    for (;;) {
      try {
        const finished = await resultsOf(queue, options.queueName, ids);
        const failed: FailedJobRecord[] = [];
        for (const job of await queue.getFailed()) {
          const id = (job.data as SweepJob).id;
          if (!ids.includes(id) || finished.has(id)) continue;
          const progress = job.progress as { worker?: string } | undefined;
          failed.push({
            id,
            method: (job.data as SweepJob).method,
            seed: (job.data as SweepJob).seed,
            error: job.failedReason ?? 'unknown error',
            worker: typeof progress === 'object' ? (progress.worker ?? '?') : '?',
            attempts: job.attemptsMade,
            failedAt: new Date(job.finishedOn ?? Date.now()).toISOString(),
          });
        }
        options.progress.setCounts(finished.size, failed.length);
        const perWorker = new Map<string, { done: number; failed: number; running: string[] }>();
        const tally = (name: string) => {
          let entry = perWorker.get(name);
          if (entry === undefined) {
            entry = { done: 0, failed: 0, running: [] };
            perWorker.set(name, entry);
          }
          return entry;
        };
        for (const record of finished.values()) tally(record.worker).done += 1;
        for (const record of failed) tally(record.worker).failed += 1;
        for (const job of await queue.getActive()) {
          const progress = job.progress as { worker?: string; epoch?: number } | undefined;
          const data = job.data as SweepJob;
          const worker = typeof progress === 'object' ? (progress.worker ?? '?') : '?';
          const epoch =
            typeof progress === 'object' && progress.epoch ? `, epoch ${progress.epoch} done` : '';
          tally(worker).running.push(`${data.method} seed ${data.seed} (${data.id}${epoch})`);
        }
        const head = options.progress.line().split(' | ')[0]!;
        const line = [
          head.replace(
            /, \d+ running,/,
            `, ${[...perWorker.values()].reduce((sum, entry) => sum + entry.running.length, 0)} running,`,
          ),
          ...[...perWorker.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(
              ([name, entry]) =>
                `${name}: ${entry.done} done${entry.failed > 0 ? `, ${entry.failed} failed` : ''}${entry.running.length > 0 ? `, running ${entry.running.join(', ')}` : ''}`,
            ),
        ].join(' | ');
        // A line per change of the counts or of what runs (not per tick of the ETA).
        const key = line.replace(/ETA [^|]*/, '');
        if (key !== lastLine) {
          options.log(line);
          lastLine = key;
        }
        lastError = '';
        if (finished.size + failed.length >= ids.length) return { finished, failed };
      } catch (error) {
        const message = (error as Error).message;
        if (message !== lastError) options.log(`queue unreachable (${message}); waiting for Redis`);
        lastError = message;
      }
      await sleep(pollMs);
    }
  } finally {
    await queue.close();
  }
}
