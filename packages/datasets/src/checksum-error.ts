import { GeokdError } from '@geokd/errors';

/** A downloaded or cached file does not match its published checksum. */
export class ChecksumError extends GeokdError {
  /** The file whose checksum failed. */
  readonly fileName: string;
  /** Hash algorithm, `'md5'` or `'sha256'`. */
  readonly algorithm: string;
  /** The published digest (hex). */
  readonly expected: string;
  /** The digest of the bytes received (hex). */
  readonly received: string;

  constructor(options: {
    fileName: string;
    algorithm: string;
    expected: string;
    received: string;
  }) {
    super(
      `${options.fileName}: ${options.algorithm} checksum mismatch, expected ${options.expected} but the file has ${options.received}`,
      { code: 'checksum-mismatch' },
    );
    this.fileName = options.fileName;
    this.algorithm = options.algorithm;
    this.expected = options.expected;
    this.received = options.received;
  }
}
