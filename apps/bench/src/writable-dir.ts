import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '@geokd/errors';

/**
 * Creates `dir` (with its parents) and proves it writable by writing and removing a probe file,
 * so that a bad `--out` or `--cache-dir` is reported before any training.
 *
 * @throws InvalidArgumentError naming `argument` when the folder cannot be created or written
 *   (a file in the way, no permission, a read-only file system).
 */
export function ensureWritableDir(dir: string, argument: string): void {
  const fail = (why: string): never => {
    throw new InvalidArgumentError({
      functionName: 'geokd-bench',
      argument,
      expected: 'a folder that can be created and written',
      received: `'${dir}' (${why})`,
    });
  };
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    fail((error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
  if (!fs.statSync(dir).isDirectory()) fail('not a folder');
  const probe = path.join(dir, `.geokd-write-probe-${process.pid}-${Date.now()}`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (error) {
    fail(`not writable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
