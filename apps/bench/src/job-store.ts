import fs from 'node:fs';
import path from 'node:path';
import type { FailedJobRecord, JobRecord } from './job-record';

/** Writes `text` to `file` through a temporary file and a rename, so a reader never sees half. */
export function writeFileAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, file);
  } catch (cause) {
    fs.rmSync(temporary, { force: true });
    throw cause;
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * The finished and failed jobs of a sweep on disk: `jobs/<id>.json` and `failed/<id>.json` in
 * the sweep's output folder. A finished job's file is what makes a restarted sweep skip it.
 */
export class JobStore {
  /** The sweep's output folder. */
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  private finishedPath(id: string): string {
    return path.join(this.root, 'jobs', `${id}.json`);
  }

  private failedPath(id: string): string {
    return path.join(this.root, 'failed', `${id}.json`);
  }

  /** The finished job with this id, or undefined. */
  finished(id: string): JobRecord | undefined {
    const record = readJson<JobRecord>(this.finishedPath(id));
    return record?.id === id ? record : undefined;
  }

  /** Stores a finished job (atomically) and clears any failure of it. */
  storeFinished(record: JobRecord): void {
    writeFileAtomic(this.finishedPath(record.id), `${JSON.stringify(record)}\n`);
    fs.rmSync(this.failedPath(record.id), { force: true });
  }

  /** The recorded failure of this job, or undefined. */
  failed(id: string): FailedJobRecord | undefined {
    const record = readJson<FailedJobRecord>(this.failedPath(id));
    return record?.id === id ? record : undefined;
  }

  /** Stores a failure (atomically). */
  storeFailed(record: FailedJobRecord): void {
    writeFileAtomic(this.failedPath(record.id), `${JSON.stringify(record, null, 2)}\n`);
  }
}
