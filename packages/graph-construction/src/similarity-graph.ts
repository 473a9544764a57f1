import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { COSINE_NORM_EPSILON, cosineGraphUnchecked } from './cosine-graph';
import { flattenUnchecked } from './flatten-features';
import { constantOf, gramProduct, maxAbsScale } from './gram-matrix';
import {
  type AdjacencyNormalization,
  assertNormalization,
  normalizeUnchecked,
} from './normalize-adjacency';
import { offDiagonalOnes, squaredDistancesFromGram } from './pairwise-distances';
import {
  assertFinite,
  assertFloat32,
  assertPositive,
  assertRank,
  assertTensor,
  describeShape,
} from './validation';
import { shouldCheckValues, type ValueCheckOptions } from './value-checks';

/** Which similarity between two feature vectors becomes an edge weight. */
export type SimilarityKernel = 'cosine' | 'dot' | 'gaussian';

/** The valid {@link SimilarityKernel} names. */
export const SIMILARITY_KERNELS: readonly SimilarityKernel[] = ['cosine', 'dot', 'gaussian'];

/**
 * Floor of a row's L2 norm in the cosine kernel, applied after each row is rescaled by its
 * largest absolute value (so only an all-zero row, or a zero-width one, falls below it: it has
 * similarity 0 to everything).
 */
export const COSINE_EPSILON = COSINE_NORM_EPSILON;

/** Options of {@link similarityGraph}. */
export interface SimilarityGraphOptions extends ValueCheckOptions {
  /**
   * The kernel: `'cosine'` (rows L2-normalised, `A = X̂ X̂ᵀ`), `'dot'` (`A = X Xᵀ`) or
   * `'gaussian'` (`A_ij = exp(-‖x_i - x_j‖² / 2σ²)`).
   * @default 'cosine'
   */
  kernel?: SimilarityKernel;
  /**
   * Bandwidth σ of the gaussian kernel (ignored by the others). By default the median of the
   * pairwise Euclidean distances over off-diagonal pairs, treated as a constant (no gradient
   * flows through it); when that median is 0 (all points identical) or B = 1, σ = 1.
   * @default median off-diagonal pairwise distance
   */
  sigma?: number;
  /**
   * Keep the diagonal (`A_ii`, each node's similarity to itself). When false the diagonal is
   * set to 0 before normalisation.
   * @default false
   */
  selfLoops?: boolean;
  /**
   * Degree normalisation: `'symmetric'` (`D^{-1/2} A D^{-1/2}`), `'random-walk'` (`D^{-1} A`)
   * or `'none'`. Nodes with degree `<= 1e-12` get a zero row/column.
   * @default 'symmetric'
   */
  normalize?: AdjacencyNormalization;
  /**
   * A `[B, B]` tensor multiplied elementwise into the graph after normalisation (e.g. a
   * {@link knnMask} or {@link classMask}). Not differentiated.
   * @default undefined (no mask)
   */
  mask?: tf.Tensor2D;
}

/**
 * The similarity graph of a batch: a `[B, B]` adjacency whose entry `(i, j)` is the similarity
 * of samples `i` and `j`'s features. Features `[B, ...]` are flattened to `[B, D]`.
 *
 * Formulas (`x_i` the flattened features of sample `i`):
 * - cosine: `A_ij = x̂_i · x̂_j` with `x̂ = x / ‖x‖` (an all-zero row has similarity 0 to
 *   everything; similarities may be negative for signed features);
 * - dot: `A_ij = x_i · x_j`;
 * - gaussian: `A_ij = exp(-‖x_i - x_j‖² / (2σ²))`;
 * then the diagonal is zeroed unless `selfLoops`, the degrees `d_i = Σ_j A_ij` normalise the
 * graph (`symmetric`: `A_ij / sqrt(d_i d_j)`; `random-walk`: `A_ij / d_i`; nodes with
 * `d_i <= 1e-12` get a zero row/column), and finally `mask` is multiplied in.
 *
 * Numerics: no NaN for finite input anywhere in float32's range. Each kernel is computed on
 * rescaled features (`x / max|x|`, per row for cosine, over the batch otherwise), so cosine,
 * the default-σ gaussian and every degree-normalised graph are exactly invariant to the
 * features' scale (1e-30 and 1e30 give the graph of 1); the isolated-node threshold 1e-12 then
 * applies to the degrees of the rescaled graph (relative to `max|x|²` for `dot`). Two graphs
 * are not scale-invariant by nature: `dot` with `normalize: 'none'` is `XXᵀ` itself, whose
 * entries beyond float32's range are ±Inf (the float32 overflow of the true value, never NaN);
 * a gaussian with a given `sigma` depends on `‖x_i - x_j‖/σ`, and a ratio `max|x|/σ` beyond
 * 1e18 is treated as 1e18 (every off-diagonal weight is then 0 in float32 anyway, unless two
 * points are within 1e-18·max|x| of each other).
 *
 * Zero-width features `[B, 0]` are the zero vectors (the empty dot product is 0): cosine and
 * dot give the all-zero graph, the gaussian gives weight 1 between every pair; no matrix
 * product over an empty inner dimension runs on any backend. Value checks (NaN/Inf in
 * `features`, with a read) are opt-in: `checkFinite`, or {@link setValueChecks}; without them a
 * non-finite input gives an all-NaN graph (never a silently finite one).
 *
 * The defaults (cosine, no self-loops, symmetric normalisation) are the graph of GKD.
 * Differentiable with respect to `features`; the cosine graph's gradient is analytic (one
 * custom gradient for the whole graph, mask and normalisation included: few kernels per
 * step, which is what costs on WebGPU). Runs inside `tf.tidy` and leaks nothing.
 *
 * @param features - `[B, ...]` float32 features (rank >= 2), e.g. `[B, D]` vectors or
 *   `[B, H, W, C]` feature maps.
 * @param options - see {@link SimilarityGraphOptions}.
 * @returns the `[B, B]` float32 adjacency.
 * @throws {InvalidArgumentError} when `features` is not a float32 tensor of rank >= 2 with
 *   B >= 1, contains NaN/Inf (only when value checks are on), or an option is invalid (unknown kernel or
 *   normalisation, `sigma` not a finite number > 0, `mask` not `[B, B]`).
 * @see Lassance et al., "Deep Geometric Knowledge Distillation with Graphs", ICASSP 2020.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { similarityGraph } from '@geokd/graph-construction';
 *
 * const features = tf.randomUniform([8, 16, 4, 4]) as tf.Tensor4D;
 * const graph = similarityGraph(features); // cosine, no self-loops, D^-1/2 A D^-1/2
 * const gaussian = similarityGraph(features, { kernel: 'gaussian', normalize: 'none' });
 * ```
 */
export function similarityGraph(
  features: tf.Tensor,
  options: SimilarityGraphOptions = {},
): tf.Tensor2D {
  const fn = 'similarityGraph';
  const tensor = assertTensor(fn, 'features', features);
  assertRank(fn, 'features', tensor, { minRank: 2 });
  if (tensor.shape[0] === 0) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'features',
      expected: 'a non-empty batch (B >= 1)',
      received: `shape ${describeShape(tensor.shape)}`,
    });
  }
  assertFloat32(fn, 'features', tensor);
  const kernel = options.kernel ?? 'cosine';
  if (!SIMILARITY_KERNELS.includes(kernel)) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.kernel',
      expected: `one of ${SIMILARITY_KERNELS.map((k) => `'${k}'`).join(', ')}`,
      received: typeof kernel === 'string' ? `'${kernel}'` : String(kernel),
    });
  }
  const sigma =
    options.sigma === undefined ? undefined : assertPositive(fn, 'options.sigma', options.sigma);
  const normalization = options.normalize ?? 'symmetric';
  assertNormalization(fn, 'options.normalize', normalization);
  const batch = tensor.shape[0]!;
  const mask = options.mask;
  if (mask !== undefined) {
    assertTensor(fn, 'options.mask', mask);
    if (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== batch) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'options.mask',
        expected: `shape [${batch}, ${batch}] (B = ${batch} from features)`,
        received: `shape ${describeShape(mask.shape)}`,
      });
    }
  }
  if (shouldCheckValues(options.checkFinite)) assertFinite(fn, 'features', tensor);

  return tf.tidy(() => {
    const x = flattenUnchecked(tensor);
    // Every quantity below is computed on rescaled features (values in [-1, 1]) so that no
    // square or product overflows or underflows; the scales are constants to tf.grad, which is
    // exact because each rescaled quantity is invariant to them or is multiplied back.
    if (kernel === 'cosine') {
      // Cosine is invariant to each row's scale: rows are rescaled one by one (so that a row
      // far smaller than the others is not lost), and the whole graph, self-loops,
      // normalisation and mask included, has an analytic gradient (few kernels per step).
      return cosineGraphUnchecked(x, {
        selfLoops: options.selfLoops ?? false,
        normalization,
        mask: mask === undefined ? undefined : (tf.cast(mask, 'float32') as tf.Tensor2D),
        propagateNonFinite: tensor.size > 0,
      });
    }
    const scale = maxAbsScale(x);
    // One [B, D] pass (the gram matrix) serves both kernels: squared norms are its diagonal,
    // so no [B, D] elementwise op runs forward or backward besides the matMuls.
    const gram = gramProduct(tf.div(x, scale) as tf.Tensor2D);
    // dot: (X/s)(X/s)ᵀ = XXᵀ / s²: degree normalisation is invariant to s², and 'none' multiplies
    // it back at the very end (after every mask, so an overflowing entry is +-Inf, not NaN).
    let adjacency =
      kernel === 'dot'
        ? gram
        : gaussianOfScaled(squaredDistancesFromGram(gram), scale, sigma, batch);
    if (!(options.selfLoops ?? false)) {
      adjacency = tf.mul(adjacency, offDiagonalOnes(batch));
    }
    let graph = normalizeUnchecked(adjacency, normalization);
    if (mask !== undefined) graph = tf.mul(graph, tf.cast(mask, 'float32'));
    if (kernel === 'dot' && normalization === 'none') {
      graph = tf.mul(tf.mul(graph, scale), scale) as tf.Tensor2D;
    }
    // Σ x·0 is 0 for finite features and NaN otherwise: without value checks a NaN/Inf input
    // still gives a NaN graph (never one that a clamp made finite), at one reduction, no read.
    // (Not on an empty tensor: it holds no value, and wasm's Sum of nothing reads garbage.)
    return (tensor.size === 0 ? graph : tf.add(graph, tf.sum(tf.mul(tensor, 0)))) as tf.Tensor2D;
  });
}

/** Largest `s/σ` used: beyond it every off-diagonal gaussian weight is 0 in float32 anyway. */
const MAX_INVERSE_BANDWIDTH = 1e18;

/**
 * `exp(-‖x_i - x_j‖² / 2σ²)` from the squared distances `d'²` of the rescaled features `X/s`:
 * the exponent is `-(d'² r) r / 2` with `r = s/σ` (or `1/median(d')` by default), multiplied
 * twice so that neither `r²` nor `0 · Inf` is ever formed.
 */
function gaussianOfScaled(
  scaledSquared: tf.Tensor2D,
  scale: tf.Tensor,
  sigma: number | undefined,
  batch: number,
): tf.Tensor2D {
  // r is a constant to tf.grad (σ carries no gradient), computed untaped.
  const r = constantOf(scaledSquared, (d2) => {
    const inverse =
      sigma === undefined
        ? inverseMedianDistance(d2 as tf.Tensor2D, batch, scale)
        : tf.div(tf.reshape(scale, []), sigma);
    return tf.minimum(inverse, MAX_INVERSE_BANDWIDTH);
  });
  return tf.exp(tf.mul(-0.5, tf.mul(tf.mul(scaledSquared, r), r))) as tf.Tensor2D;
}

/**
 * `1 / σ` for the default bandwidth σ = the median Euclidean distance over off-diagonal pairs of
 * the rescaled features; when that median is 0 (all points identical) or B = 1, σ = 1 in input
 * units, i.e. `1/σ = scale`. Runs untaped (inside `constantOf`).
 */
function inverseMedianDistance(d2: tf.Tensor2D, batch: number, scale: tf.Tensor): tf.Tensor {
  const fallback = tf.reshape(scale, []);
  if (batch < 2) return fallback;
  const indices: number[] = [];
  for (let i = 0; i < batch; i++) {
    for (let j = i + 1; j < batch; j++) indices.push(i * batch + j);
  }
  const upper = tf.gather(tf.reshape(d2, [-1]), tf.tensor1d(indices, 'int32'));
  const count = indices.length;
  // topk in descending order; the median of `count` values sits at ascending positions
  // floor((count-1)/2) and ceil((count-1)/2), i.e. descending positions count-1-those.
  const half = Math.floor(count / 2) + 1;
  const { values } = tf.topk(upper, half, true);
  const low = tf.slice(values, [half - 1], [1]);
  const high = count % 2 === 1 ? low : tf.slice(values, [half - 2], [1]);
  const median = tf.reshape(tf.div(tf.add(tf.sqrt(low), tf.sqrt(high)), 2), []);
  return tf.where(tf.greater(median, 0), tf.div(1, median), fallback);
}
