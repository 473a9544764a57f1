import { GeokdError } from '@geokd/errors';

/**
 * A loss term became NaN or infinite. Training stops before the update is applied, so the last
 * checkpoint on disk stays the last good one.
 */
export class NonFiniteLossError extends GeokdError {
  /** The loss term, e.g. `'cross-entropy'` or `'gkd'`. */
  readonly term: string;
  /** The value read (`NaN`, `Infinity` or `-Infinity`). */
  readonly value: number;
  /** Epoch, counted from 1. */
  readonly epoch: number;
  /** Step within the epoch, counted from 1. */
  readonly step: number;
  /** Steps since the start of training, counted from 1. */
  readonly globalStep: number;

  constructor(options: {
    term: string;
    value: number;
    epoch: number;
    step: number;
    globalStep: number;
  }) {
    super(
      `Loss term '${options.term}' is ${options.value} at epoch ${options.epoch}, step ${options.step} (global step ${options.globalStep}); training stopped and the last checkpoint was kept`,
      { code: 'non-finite-loss' },
    );
    this.term = options.term;
    this.value = options.value;
    this.epoch = options.epoch;
    this.step = options.step;
    this.globalStep = options.globalStep;
  }
}
