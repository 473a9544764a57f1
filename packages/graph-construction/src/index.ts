export { CLASS_MASK_MODES, type ClassMaskMode, classMask } from './class-mask';
export { flattenFeatures } from './flatten-features';
export { gramMatrix, maxAbsScale } from './gram-matrix';
export { graphPower } from './graph-power';
export { type GraphStats, graphStats } from './graph-stats';
export { knnMask } from './knn-mask';
export { type LabelSmoothnessOptions, labelSmoothness } from './label-smoothness';
export {
  ADJACENCY_NORMALIZATIONS,
  type AdjacencyNormalization,
  DEGREE_EPSILON,
  normalizeAdjacency,
} from './normalize-adjacency';
export { pairwiseSquaredDistances } from './pairwise-distances';
export {
  COSINE_EPSILON,
  SIMILARITY_KERNELS,
  type SimilarityGraphOptions,
  type SimilarityKernel,
  similarityGraph,
} from './similarity-graph';
export {
  type AssertRankOptions,
  assertFinite,
  assertFloat32,
  assertInteger,
  assertPositive,
  assertRank,
  assertTensor,
  describeShape,
} from './validation';
export { setValueChecks, shouldCheckValues, type ValueCheckOptions } from './value-checks';
