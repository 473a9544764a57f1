import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EpochRecord } from './training-events';

/** File name of the metrics history, next to the checkpoints. */
export const METRICS_FILE = 'metrics.jsonl';

/**
 * Starts `directory/metrics.jsonl` with the given records (empty for a fresh run, the
 * checkpoint's history when resuming, which drops lines of epochs the checkpoint lacks).
 */
export function resetMetricsLog(directory: string, records: readonly EpochRecord[]): void {
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(
    path.join(directory, METRICS_FILE),
    records.map((record) => `${JSON.stringify(record)}\n`).join(''),
  );
}

/** Appends one epoch's record as a JSON line. */
export function appendMetrics(directory: string, record: EpochRecord): void {
  fs.appendFileSync(path.join(directory, METRICS_FILE), `${JSON.stringify(record)}\n`);
}

/** Reads the records of a metrics file (one JSON object per line). */
export function readMetricsLog(directory: string): EpochRecord[] {
  const text = fs.readFileSync(path.join(directory, METRICS_FILE), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EpochRecord);
}
