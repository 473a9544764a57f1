export {
  closestName,
  editDistance,
  GeokdError,
  InvalidArgumentError,
  type InvalidArgumentErrorOptions,
  UnknownNameError,
  type UnknownNameErrorOptions,
} from '@geokd/errors';
export { deriveSeed } from './derive-seed';
export type {
  DistillationLoss,
  DistillationLossContext,
  DistillationLossInput,
  DistillationLossParameters,
  DistillationLossShapes,
  TapPair,
} from './distillation-loss';
export { readValuesForCheck } from './read-values-for-check';
export { SeededRandom } from './seeded-random';
export {
  type AssertRankOptions,
  assertFinite,
  assertFloat32,
  assertInteger,
  assertPositive,
  assertRank,
  assertTensor,
  describeShape,
} from './tensor-validation';
