import type { DistillationLoss } from '@geokd/core';

// The loss contract is defined once, in @geokd/core. These names stay for compatibility.
export type { DistillationLossContext } from '@geokd/core';

/**
 * @deprecated use `DistillationLoss` from `@geokd/core` (also exported by `@geokd/kd-losses`
 * and `@geokd/trainer`): the same contract, defined once.
 */
export type DistillationLossDescriptor<Options = Record<string, unknown>> =
  DistillationLoss<Options>;
