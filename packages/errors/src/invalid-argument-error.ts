import { GeokdError } from './geokd-error';

/** Fields of an {@link InvalidArgumentError}. */
export interface InvalidArgumentErrorOptions {
  /** The public function that rejected the argument, e.g. `'gkdLoss'`. */
  functionName: string;
  /** The argument's name as the caller wrote it, e.g. `'studentFeatures[1]'` or `'options.k'`. */
  argument: string;
  /** What was expected, e.g. `'a tensor of rank >= 2'`. */
  expected: string;
  /** What was received, e.g. `'rank 1 (shape [64])'`. */
  received?: string;
  /** A full message; by default one is built from the fields. */
  message?: string;
  cause?: unknown;
}

/**
 * An argument of a public function is invalid: wrong rank or shape, mismatched batch, out of
 * range, non-finite values. The message names the function, the argument, what was expected
 * and what was received.
 *
 * @example
 * ```ts
 * throw new InvalidArgumentError({
 *   functionName: 'knnMask',
 *   argument: 'k',
 *   expected: 'an integer >= 1',
 *   received: '0',
 * });
 * // knnMask: k must be an integer >= 1, received 0
 * ```
 */
export class InvalidArgumentError extends GeokdError {
  readonly functionName: string;
  readonly argument: string;
  readonly expected: string;
  readonly received: string | undefined;

  constructor(options: InvalidArgumentErrorOptions) {
    const received = options.received === undefined ? '' : `, received ${options.received}`;
    super(
      options.message ??
        `${options.functionName}: ${options.argument} must be ${options.expected}${received}`,
      { code: 'invalid-argument', cause: options.cause },
    );
    this.functionName = options.functionName;
    this.argument = options.argument;
    this.expected = options.expected;
    this.received = options.received;
  }
}
