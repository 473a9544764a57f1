import { GeokdError } from '@geokd/errors';

/** Training was stopped through its `AbortSignal`; the last complete checkpoint is kept. */
export class TrainingAbortedError extends GeokdError {
  /** Epoch (from 1) during which the abort was seen. */
  readonly epoch: number;

  constructor(options: { epoch: number; cause?: unknown }) {
    super(`Training aborted during epoch ${options.epoch}`, {
      code: 'training-aborted',
      cause: options.cause,
    });
    this.epoch = options.epoch;
  }
}
