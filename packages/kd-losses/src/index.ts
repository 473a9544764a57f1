export {
  type AttentionTransferLossOptions,
  attentionTransferLoss,
} from './attention-transfer-loss';
export type { DistillationLoss, DistillationLossContext } from './distillation-loss';
export { type GkdLossOptions, gkdLoss } from './gkd-loss';
export { type HintonKdLossOptions, hintonKdLoss } from './hinton-kd-loss';
export { pktLoss } from './probabilistic-knowledge-transfer-loss';
export { getDistillationLoss, listDistillationLosses } from './registry';
export { rkdAngleLoss } from './relational-angle-loss';
export { rkdDistanceLoss } from './relational-distance-loss';
export { similarityPreservingLoss } from './similarity-preserving-loss';
