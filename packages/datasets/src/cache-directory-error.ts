import { GeokdError } from '@geokd/errors';

/** The cache folder cannot be created or written. */
export class CacheDirectoryError extends GeokdError {
  /** The folder that was not usable. */
  readonly directory: string;

  constructor(directory: string, problem: string, options: { cause?: unknown } = {}) {
    super(`cache folder ${directory}: ${problem}`, {
      code: 'cache-directory',
      cause: options.cause,
    });
    this.directory = directory;
  }
}
