// The loss contract is defined once, in @geokd/core, and shared by kd-losses, the trainer and the
// docs demo; kd-losses re-exports it so that `import type { DistillationLoss } from
// '@geokd/kd-losses'` keeps working.
export type {
  DistillationLoss,
  DistillationLossContext,
  DistillationLossInput,
  DistillationLossParameters,
  DistillationLossShapes,
  TapPair,
} from '@geokd/core';
