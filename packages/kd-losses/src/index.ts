export {
  type AttentionTransferLossOptions,
  attentionTransferDistillationLoss,
  attentionTransferLoss,
} from './attention-transfer-loss';
export {
  definePairLoss,
  type PairLossDeclaration,
} from './define-distillation-loss';
export type {
  DistillationLoss,
  DistillationLossContext,
  DistillationLossInput,
  DistillationLossParameters,
  DistillationLossShapes,
  TapPair,
} from './distillation-loss';
export { DISTILLATION_LOSSES } from './distillation-losses';
export {
  createFitnetsRegressor,
  type FitnetsRegressor,
  fitnetsDistillationLoss,
  fitnetsLoss,
} from './fitnets-loss';
export {
  type GkdDistillationLossOptions,
  type GkdLossOptions,
  gkdDistillationLoss,
  gkdLoss,
} from './gkd-loss';
export { type HintonKdLossOptions, hintonDistillationLoss, hintonKdLoss } from './hinton-kd-loss';
export { pktDistillationLoss, pktLoss } from './probabilistic-knowledge-transfer-loss';
export { getDistillationLoss, listDistillationLosses } from './registry';
export { rkdAngleDistillationLoss, rkdAngleLoss } from './relational-angle-loss';
export { rkdDistanceDistillationLoss, rkdDistanceLoss } from './relational-distance-loss';
export {
  similarityPreservingDistillationLoss,
  similarityPreservingLoss,
} from './similarity-preserving-loss';
