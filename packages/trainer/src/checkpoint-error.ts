import { GeokdError } from '@geokd/errors';

/** Why a checkpoint was rejected. */
export type CheckpointErrorReason = 'corrupt' | 'mismatch' | 'exists';

/**
 * A checkpoint folder cannot be used: its files are truncated or unreadable (`corrupt`), it was
 * written by another configuration or architecture (`mismatch`), or a fresh run would overwrite
 * it (`exists`). The checkpoint itself is left untouched.
 */
export class CheckpointError extends GeokdError {
  /** Why the checkpoint was rejected. */
  readonly reason: CheckpointErrorReason;
  /** The checkpoint folder. */
  readonly path: string;

  constructor(options: {
    reason: CheckpointErrorReason;
    path: string;
    message: string;
    cause?: unknown;
  }) {
    super(options.message, { code: `checkpoint-${options.reason}`, cause: options.cause });
    this.reason = options.reason;
    this.path = options.path;
  }
}
