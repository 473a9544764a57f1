import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { constantOf, gramMatrix } from './gram-matrix';
import {
  type AdjacencyNormalization,
  assertNormalization,
  normalizeUnchecked,
} from './normalize-adjacency';
import {
  assertFinite,
  assertFloat32,
  assertPositive,
  assertRank,
  assertTensor,
  describeShape,
} from './validation';

/** Which similarity between two feature vectors becomes an edge weight. */
export type SimilarityKernel = 'cosine' | 'dot' | 'gaussian';

/** The valid {@link SimilarityKernel} names. */
export const SIMILARITY_KERNELS: readonly SimilarityKernel[] = ['cosine', 'dot', 'gaussian'];

/** Rows with an L2 norm below this are scaled by `1/COSINE_EPSILON` (a zero row stays zero). */
export const COSINE_EPSILON = 1e-12;

/** Options of {@link similarityGraph}. */
export interface SimilarityGraphOptions {
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
  /**
   * Check that `features` holds no NaN/Inf (one reduction and a one-value read). Turn off in a
   * hot training loop whose inputs are known to be finite.
   * @default true
   */
  checkFinite?: boolean;
}

/**
 * The similarity graph of a batch: a `[B, B]` adjacency whose entry `(i, j)` is the similarity
 * of samples `i` and `j`'s features. Features `[B, ...]` are flattened to `[B, D]`.
 *
 * Formulas (`x_i` the flattened features of sample `i`):
 * - cosine: `A_ij = x̂_i · x̂_j` with `x̂ = x / max(‖x‖, 1e-12)` (a zero row has similarity 0
 *   to everything; similarities may be negative for signed features);
 * - dot: `A_ij = x_i · x_j`;
 * - gaussian: `A_ij = exp(-‖x_i - x_j‖² / (2σ²))`;
 * then the diagonal is zeroed unless `selfLoops`, the degrees `d_i = Σ_j A_ij` normalise the
 * graph (`symmetric`: `A_ij / sqrt(d_i d_j)`; `random-walk`: `A_ij / d_i`; nodes with
 * `d_i <= 1e-12` get a zero row/column), and finally `mask` is multiplied in.
 *
 * The defaults (cosine, no self-loops, symmetric normalisation) are the graph of GKD.
 * Differentiable with respect to `features`; runs inside `tf.tidy` and leaks nothing.
 *
 * @param features - `[B, ...]` float32 features (rank >= 2), e.g. `[B, D]` vectors or
 *   `[B, H, W, C]` feature maps.
 * @param options - see {@link SimilarityGraphOptions}.
 * @returns the `[B, B]` float32 adjacency.
 * @throws {InvalidArgumentError} when `features` is not a float32 tensor of rank >= 2 with
 *   B >= 1 and D >= 1, contains NaN/Inf, or an option is invalid (unknown kernel or
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
  if (tensor.size === 0) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'features',
      expected: 'a non-empty tensor (B >= 1 and D >= 1)',
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
  if (options.checkFinite ?? true) assertFinite(fn, 'features', tensor);

  return tf.tidy(() => {
    const x = tf.reshape(tensor, [batch, -1]) as tf.Tensor2D;
    // One [B, D] pass (the gram matrix) serves every kernel: squared norms are its diagonal,
    // so no [B, D] elementwise op runs forward or backward besides the matMuls.
    const gram = gramMatrix(x);
    let adjacency: tf.Tensor2D;
    if (kernel === 'cosine') {
      // x̂_i · x̂_j = G_ij / (n_i n_j), n_i = max(‖x_i‖, ε): a zero row has similarity 0.
      const inverseNorms = tf.rsqrt(
        tf.maximum(diagonalOf(gram, batch), COSINE_EPSILON * COSINE_EPSILON),
      );
      adjacency = tf.mul(
        tf.mul(gram, tf.reshape(inverseNorms, [-1, 1])),
        tf.reshape(inverseNorms, [1, -1]),
      ) as tf.Tensor2D;
    } else if (kernel === 'dot') {
      adjacency = gram;
    } else {
      const squaredDistances = pairwiseSquaredDistances(gram, batch);
      const bandwidth =
        sigma === undefined ? medianBandwidth(squaredDistances, batch) : tf.scalar(sigma);
      adjacency = tf.exp(
        tf.div(tf.neg(squaredDistances), tf.mul(2, tf.square(bandwidth))),
      ) as tf.Tensor2D;
    }
    if (!(options.selfLoops ?? false)) {
      adjacency = tf.mul(adjacency, offDiagonalOnes(batch));
    }
    let graph = normalizeUnchecked(adjacency, normalization);
    if (mask !== undefined) graph = tf.mul(graph, tf.cast(mask, 'float32'));
    return graph;
  });
}

/** The diagonal `[B]` of a `[B, B]` matrix (differentiable: a masked row sum). */
function diagonalOf(matrix: tf.Tensor2D, batch: number): tf.Tensor1D {
  return tf.sum(tf.mul(matrix, tf.eye(batch)), 1) as tf.Tensor1D;
}

/** `‖x_i - x_j‖² = G_ii + G_jj - 2 G_ij` from the gram matrix, clamped at 0, diagonal 0. */
function pairwiseSquaredDistances(gram: tf.Tensor2D, batch: number): tf.Tensor2D {
  const squaredNorms = diagonalOf(gram, batch);
  const distances = tf.relu(
    tf.sub(
      tf.add(tf.reshape(squaredNorms, [-1, 1]), tf.reshape(squaredNorms, [1, -1])),
      tf.mul(2, gram),
    ),
  );
  return tf.mul(distances, offDiagonalOnes(batch)) as tf.Tensor2D;
}

/**
 * The median Euclidean distance over off-diagonal pairs, as a constant (zero gradient); 1 when
 * it is 0 (all points identical) or there is no pair (B = 1).
 */
function medianBandwidth(squaredDistances: tf.Tensor2D, batch: number): tf.Scalar {
  if (batch < 2) return tf.scalar(1);
  return constantOf(squaredDistances, (d2) => {
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
    const median = tf.div(tf.add(tf.sqrt(low), tf.sqrt(high)), 2);
    const safe = tf.where(tf.greater(median, 0), median, tf.onesLike(median));
    return tf.reshape(safe, []);
  }) as tf.Scalar;
}

/** `1 - I` as a `[B, B]` float32 tensor. */
function offDiagonalOnes(batch: number): tf.Tensor2D {
  return tf.sub(tf.ones([batch, batch]), tf.eye(batch)) as tf.Tensor2D;
}
