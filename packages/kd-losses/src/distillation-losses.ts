import type { DistillationLoss } from './distillation-loss';
import { attentionTransferDistillationLoss } from './attention-transfer-loss';
import { fitnetsDistillationLoss } from './fitnets-loss';
import { gkdDistillationLoss } from './gkd-loss';
import { hintonDistillationLoss } from './hinton-kd-loss';
import { pktDistillationLoss } from './probabilistic-knowledge-transfer-loss';
import { rkdAngleDistillationLoss } from './relational-angle-loss';
import { rkdDistanceDistillationLoss } from './relational-distance-loss';
import { similarityPreservingDistillationLoss } from './similarity-preserving-loss';

/**
 * Every distillation loss, as each declares itself in its own file. The registry, the
 * benchmark's method table and the docs demo all read this one list: adding a loss is one file,
 * its test and one line here.
 */
export const DISTILLATION_LOSSES: readonly DistillationLoss<never>[] = [
  gkdDistillationLoss,
  rkdDistanceDistillationLoss,
  rkdAngleDistillationLoss,
  hintonDistillationLoss,
  similarityPreservingDistillationLoss,
  attentionTransferDistillationLoss,
  pktDistillationLoss,
  fitnetsDistillationLoss,
];
