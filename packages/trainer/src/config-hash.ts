import { createHash } from 'node:crypto';
import { stableStringify } from './stable-stringify';

// The stable JSON is browser-safe and lives in its own file; only the hash needs node:crypto.
export { differingKeys, stableStringify } from './stable-stringify';

/** SHA-256 (hex) of the stable JSON of a run's configuration; stored in every checkpoint. */
export function configHash(config: unknown): string {
  return createHash('sha256').update(stableStringify(config)).digest('hex');
}
