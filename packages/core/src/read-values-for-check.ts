import { GeokdError } from '@geokd/errors';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * The values of `tensor`, read synchronously for an opt-in value check (NaN/Inf scans, label
 * ranges). A backend that cannot read synchronously — WebGPU in Node, where `dataSync` throws
 * "OffscreenCanvas is not defined" — gets a geokd error that says which check needed the read
 * and how to train without it, instead of the backend's own message.
 *
 * @param functionName - the public function whose check reads the values.
 * @param argument - the argument being checked, as the caller wrote it.
 * @param tensor - a live tensor.
 * @returns the tensor's values.
 * @throws {GeokdError} with code `'value-check-unavailable'` when the backend refuses the read
 *   (the backend's error is its `cause`).
 */
export function readValuesForCheck(
  functionName: string,
  argument: string,
  tensor: tf.Tensor,
): tf.TypedArray {
  try {
    return tensor.dataSync() as tf.TypedArray;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new GeokdError(
      `${functionName}: checking ${argument} for bad values needs a synchronous read, which this backend refused (${reason}). Value checks are opt-in: turn them off (setValueChecks(false), or checkFinite: false on the call); a non-finite loss is still caught from the loss value the trainer reads each step.`,
      { code: 'value-check-unavailable', cause },
    );
  }
}
