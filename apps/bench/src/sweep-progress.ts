import { formatDuration } from './markdown-table';
import type { TextSink } from './progress-display';

interface WorkerTally {
  done: number;
  failed: number;
  running?: string;
}

/**
 * Progress of a whole sweep: jobs done, running and failed in total and per worker, and an ETA
 * from the throughput so far. Prints one line per change.
 */
export class SweepProgress {
  private readonly workers = new Map<string, WorkerTally>();
  private done: number;
  private failedCount = 0;
  private finishedHere = 0;
  private readonly started: number;

  constructor(
    private readonly total: number,
    alreadyDone: number,
    private readonly sink: TextSink,
    private readonly now: () => number = Date.now,
  ) {
    this.done = alreadyDone;
    this.started = now();
  }

  private tally(worker: string): WorkerTally {
    let entry = this.workers.get(worker);
    if (entry === undefined) {
      entry = { done: 0, failed: 0 };
      this.workers.set(worker, entry);
    }
    return entry;
  }

  /** A worker started a job. */
  jobStarted(worker: string, label: string): void {
    this.tally(worker).running = label;
    this.print();
  }

  /** A worker finished a job. */
  jobDone(worker: string): void {
    const entry = this.tally(worker);
    entry.done += 1;
    delete entry.running;
    this.done += 1;
    this.finishedHere += 1;
    this.print();
  }

  /** A job failed for good on a worker. */
  jobFailed(worker: string): void {
    const entry = this.tally(worker);
    entry.failed += 1;
    delete entry.running;
    this.failedCount += 1;
    this.print();
  }

  /** A worker stopped running its job without finishing it (it died; the job is retried). */
  jobLost(worker: string): void {
    delete this.tally(worker).running;
    this.print();
  }

  /** Sets the counts from an outside source (the Redis queue). */
  setCounts(done: number, failed: number): void {
    if (done > this.done) this.finishedHere += done - this.done;
    this.done = done;
    this.failedCount = failed;
  }

  /** Milliseconds left at the throughput so far, or undefined before the first job here. */
  eta(): number | undefined {
    const remaining = this.total - this.done - this.failedCount;
    if (remaining <= 0) return 0;
    if (this.finishedHere === 0) return undefined;
    return ((this.now() - this.started) / this.finishedHere) * remaining;
  }

  /** The progress line. */
  line(): string {
    const running = [...this.workers.values()].filter((entry) => entry.running).length;
    const eta = this.eta();
    const head = `sweep: ${this.done}/${this.total} done, ${running} running, ${this.failedCount} failed, ETA ${eta === undefined ? '?' : formatDuration(eta)}`;
    const perWorker = [...this.workers.entries()].map(
      ([name, entry]) =>
        `${name}: ${entry.done} done${entry.failed > 0 ? `, ${entry.failed} failed` : ''}${entry.running ? `, running ${entry.running}` : ''}`,
    );
    return [head, ...perWorker].join(' | ');
  }

  /** Prints the progress line. */
  print(): void {
    this.sink.write(`${this.line()}\n`);
  }
}
