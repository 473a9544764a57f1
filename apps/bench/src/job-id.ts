import { createHash } from 'node:crypto';
import { canonicalJson } from './teacher-cache';

/** Version of the job id scheme; bump to treat every stored result as stale. */
const JOB_ID_VERSION = 1;

/**
 * The stable id of a job: SHA-256 of its resolved config as canonical JSON (object keys
 * sorted, so key order does not matter), 16 hex digits.
 */
export function jobId(resolvedConfig: unknown): string {
  return createHash('sha256')
    .update(canonicalJson({ version: JOB_ID_VERSION, config: resolvedConfig }))
    .digest('hex')
    .slice(0, 16);
}
