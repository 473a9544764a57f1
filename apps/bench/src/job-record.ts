import type { RunResult } from './results-schema';
import type { SimilarityPanel } from './similarity-heatmap-chart';

/** A finished job as stored: the run record (with its history) and who ran it. */
export interface JobRecord {
  /** The job's id. */
  id: string;
  /** The run record: accuracy, loss, duration, loss terms and per-epoch history. */
  run: RunResult;
  /** Heatmap panel of the trained student (on the fixed heatmap batch). */
  panels: SimilarityPanel[];
  /** The worker that ran it. */
  worker: string;
  /** Epochs restored from a checkpoint of an earlier, interrupted attempt. */
  resumedEpochs: number;
  /** When it finished (ISO 8601). */
  finishedAt: string;
}

/** A failed job as stored: its id, the error and who ran it. */
export interface FailedJobRecord {
  /** The job's id. */
  id: string;
  /** Method of the job. */
  method: string;
  /** Seed of the job. */
  seed: number;
  /** The error message (with its stack when there is one). */
  error: string;
  /** The worker it failed on. */
  worker: string;
  /** Attempts made. */
  attempts: number;
  /** When it failed (ISO 8601). */
  failedAt: string;
}
