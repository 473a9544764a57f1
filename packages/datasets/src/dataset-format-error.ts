import { GeokdError } from '@geokd/errors';

/**
 * A dataset file is malformed: truncated, wrong magic number, a record length that is not a
 * multiple of the record size, a label out of range. The message names the file and what was
 * wrong.
 */
export class DatasetFormatError extends GeokdError {
  /** The file (or archive member) that was rejected. */
  readonly fileName: string;

  constructor(fileName: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${fileName}: ${problem}`, { code: 'dataset-format', cause: options.cause });
    this.fileName = fileName;
  }
}
