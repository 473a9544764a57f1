/**
 * Opt-in value checks. Scanning a tensor for NaN/Inf costs a reduction and a synchronous
 * GPU→CPU read per call (and `dataSync` throws on WebGPU in Node), so geokd's loss and graph
 * functions only check the *shapes and dtypes* of their inputs by default; their *values* are
 * scanned when the caller asks, per call (`checkFinite: true`) or for the whole process
 * ({@link setValueChecks}). A non-finite result is still never silent: the trainer reads every
 * loss value and stops on NaN/Inf.
 */
let valueChecks = false;

/** Options shared by the functions that can scan their inputs' values. */
export interface ValueCheckOptions {
  /**
   * Scan the tensor inputs for NaN/Inf (and label inputs for non-integer or out-of-range
   * values) before computing, throwing an `InvalidArgumentError` that names the argument.
   * Costs one reduction and a one-value synchronous read per input.
   * @default the process-wide setting of {@link setValueChecks} (off unless turned on)
   */
  checkFinite?: boolean;
}

/**
 * Turns the value checks of every geokd loss and graph function on or off for the process
 * (per-call `checkFinite` options still win). Off by default; turn on while debugging a model
 * that produces NaN, or in tests.
 *
 * @param enabled - whether functions scan their inputs' values by default.
 * @returns the previous setting, so that a caller can restore it.
 * @example
 * ```ts
 * import { setValueChecks } from '@geokd/graph-construction';
 *
 * const previous = setValueChecks(true); // every loss now rejects NaN/Inf inputs by name
 * // ...
 * setValueChecks(previous);
 * ```
 */
export function setValueChecks(enabled: boolean): boolean {
  const previous = valueChecks;
  valueChecks = enabled === true;
  return previous;
}

/**
 * Whether value checks run: the per-call option when given, else the process-wide setting.
 *
 * @param option - a function's `checkFinite` option, if the caller gave one.
 * @returns true when the inputs' values should be scanned.
 */
export function shouldCheckValues(option?: boolean): boolean {
  return option ?? valueChecks;
}
