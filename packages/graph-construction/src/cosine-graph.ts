import * as tf from '@tensorflow/tfjs-core';
import { DEGREE_EPSILON } from './normalize-adjacency';
import type { AdjacencyNormalization } from './normalize-adjacency';

/**
 * Floor of a row's L2 norm in the cosine kernel (see `COSINE_EPSILON` of `similarityGraph`,
 * which re-exports this value).
 */
export const COSINE_NORM_EPSILON = 1e-12;

/** How {@link cosineGraphUnchecked} builds the graph. @internal */
export interface CosineGraphSettings {
  /** Keep the diagonal. */
  selfLoops: boolean;
  /** Degree normalisation. */
  normalization: AdjacencyNormalization;
  /** A `[B, B]` float32 tensor multiplied in after normalisation (no gradient). */
  mask?: tf.Tensor2D;
  /**
   * Add `Σ x·0` to every entry (NaN/Inf in the features give an all-NaN graph). Off only for
   * zero-width features, whose column of zeros holds no input value.
   */
  propagateNonFinite: boolean;
}

/** The forward quantities that the analytic gradient reuses. */
interface CosineSaved {
  /** Row scales `s_i = max_k |x_ik|` (1 for an all-zero row), `[B, 1]`. */
  scale: tf.Tensor2D;
  /** The rescaled features `X / s`, `[B, D]`. */
  scaled: tf.Tensor2D;
  /** `w_ij = 1 / (n_i n_j)`, `n_i = max(‖x_i / s_i‖, ε)`, `[B, B]`. */
  inverseNormOuter: tf.Tensor2D;
  /** The adjacency before normalisation (cosines, diagonal zeroed unless self-loops), `[B, B]`. */
  adjacency: tf.Tensor2D;
  /** `d^{-1/2}` (symmetric) or `d^{-1}` (random-walk), 0 for isolated nodes, `[B]`. */
  degreeFactor?: tf.Tensor1D;
  /** The normalised graph before the mask (symmetric only), `[B, B]`. */
  normalized?: tf.Tensor2D;
  /** `p pᵀ` (symmetric only), `[B, B]`. */
  degreeOuter?: tf.Tensor2D;
}

/** The flat indices `i (B + 1)` of a `[B, B]` matrix's diagonal, as int32. */
function diagonalIndices(batch: number): tf.Tensor1D {
  const indices = new Int32Array(batch);
  for (let i = 0; i < batch; i++) indices[i] = i * (batch + 1);
  return tf.tensor1d(indices, 'int32');
}

/** `1 - I` (uploaded: no kernel runs to build it). */
function offDiagonal(batch: number): tf.Tensor2D {
  const values = new Float32Array(batch * batch).fill(1);
  for (let i = 0; i < batch; i++) values[i * (batch + 1)] = 0;
  return tf.tensor2d(values, [batch, batch]);
}

/** `I` (uploaded). */
function identity(batch: number): tf.Tensor2D {
  const values = new Float32Array(batch * batch);
  for (let i = 0; i < batch; i++) values[i * (batch + 1)] = 1;
  return tf.tensor2d(values, [batch, batch]);
}

function cosineForward(
  x: tf.Tensor2D,
  settings: CosineGraphSettings,
): CosineSaved & { graph: tf.Tensor2D } {
  const batch = x.shape[0];
  // Each row rescaled by its largest |value| (1 for an all-zero row): cosine is invariant to
  // it, and the products below then neither overflow nor underflow. A constant to the gradient.
  const maximum = tf.max(tf.abs(x), 1, true);
  const scale = tf.where(tf.greater(maximum, 0), maximum, tf.ones([batch, 1])) as tf.Tensor2D;
  const scaled = tf.div(x, scale) as tf.Tensor2D;
  // Plain-layout product (a transposed operand is 10-40x slower on wasm).
  const gram = tf.matMul(scaled, tf.transpose(scaled));
  const squaredNorms = tf.gather(tf.reshape(gram, [-1]), diagonalIndices(batch));
  const inverseNorms = tf.rsqrt(
    tf.maximum(squaredNorms, COSINE_NORM_EPSILON * COSINE_NORM_EPSILON),
  );
  const inverseNormOuter = tf.mul(
    tf.reshape(inverseNorms, [-1, 1]),
    tf.reshape(inverseNorms, [1, -1]),
  ) as tf.Tensor2D;
  let adjacency = tf.mul(gram, inverseNormOuter) as tf.Tensor2D;
  if (!settings.selfLoops) adjacency = tf.mul(adjacency, offDiagonal(batch)) as tf.Tensor2D;
  let graph = adjacency;
  let degreeFactor: tf.Tensor1D | undefined;
  let normalized: tf.Tensor2D | undefined;
  let degreeOuter: tf.Tensor2D | undefined;
  if (settings.normalization !== 'none') {
    const degree = tf.sum(adjacency, 1);
    // d^{-1/2} or d^{-1} where d > ε, 0 elsewhere (the discarded branch may be Inf or NaN).
    const powered =
      settings.normalization === 'symmetric' ? tf.rsqrt(degree) : tf.reciprocal(degree);
    degreeFactor = tf.where(
      tf.greater(degree, DEGREE_EPSILON),
      powered,
      tf.zeros([batch]),
    ) as tf.Tensor1D;
    const rowFactor = tf.reshape(degreeFactor, [-1, 1]);
    if (settings.normalization === 'symmetric') {
      degreeOuter = tf.mul(rowFactor, tf.reshape(degreeFactor, [1, -1])) as tf.Tensor2D;
      normalized = tf.mul(adjacency, degreeOuter) as tf.Tensor2D;
      graph = normalized;
    } else {
      graph = tf.mul(adjacency, rowFactor) as tf.Tensor2D;
    }
  }
  if (settings.mask !== undefined) graph = tf.mul(graph, settings.mask) as tf.Tensor2D;
  // Σ x·0 is 0 for finite features and NaN otherwise: a NaN/Inf input gives a NaN graph.
  if (settings.propagateNonFinite) graph = tf.add(graph, tf.sum(tf.mul(x, 0))) as tf.Tensor2D;
  return {
    graph,
    scale,
    scaled,
    inverseNormOuter,
    adjacency,
    degreeFactor,
    normalized,
    degreeOuter,
  };
}

/**
 * The gradient of the cosine graph with respect to `X`, from `dy = ∂L/∂graph`.
 *
 * With `C = U Uᵀ`, `U = X̃ / n` (`X̃ = X / s` row-wise, `n_i = max(‖x̃_i‖, ε)`), the adjacency
 * `A = C` or `C ⊙ (1 - I)` and the normalised `Â`:
 * - mask: `dÂ = dy ⊙ M`;
 * - symmetric, `Â = A ⊙ p pᵀ`, `p = d^{-1/2}` (0 where `d <= ε`), `d = A 1`:
 *   `dA = dÂ ⊙ p pᵀ + δ 1ᵀ`, `δ = -½ p² ⊙ (rowsum + colsum)(dÂ ⊙ Â)` (`p' = -½ p³`);
 * - random-walk, `Â = diag(p) A`, `p = 1/d`: `dA = diag(p) dÂ - (p² ⊙ rowsum(dÂ ⊙ A)) 1ᵀ`;
 * - `S = (dA + dAᵀ)`, times `(1 - I)` without self-loops, is `dC + dCᵀ`; then
 *   `dU = S U`, `dX̃_i = (dU_i - U_i (U_i · dU_i)) / n_i`, which is `dX̃ = K X̃` with the `[B, B]`
 *   matrix `K = W ⊙ (S - diag(rowsum(S ⊙ A)))`, `W = (1/n)(1/n)ᵀ` (`U_i · dU_i = Σ_j S_ij C_ij`,
 *   and for a row with `‖x̃_i‖ < ε`, i.e. an all-zero row, the projection multiplies `x̃_i = 0`);
 * - `dX = dX̃ / s` (the scales are constants: the graph is invariant to them).
 * Only one `[B, B] × [B, D]` product and one `[B, D]` division touch the features.
 */
function cosineBackward(
  dy: tf.Tensor2D,
  saved: CosineSaved,
  settings: CosineGraphSettings,
): tf.Tensor2D {
  const batch = dy.shape[0];
  const dNormalized = settings.mask === undefined ? dy : (tf.mul(dy, settings.mask) as tf.Tensor2D);
  let dAdjacency: tf.Tensor2D;
  if (settings.normalization === 'symmetric') {
    const p = saved.degreeFactor!;
    const weighted = tf.mul(dNormalized, saved.normalized!);
    const degreeSums = tf.add(tf.sum(weighted, 1), tf.sum(weighted, 0));
    const delta = tf.mul(tf.mul(tf.mul(p, p), degreeSums), -0.5);
    dAdjacency = tf.add(
      tf.mul(dNormalized, saved.degreeOuter!),
      tf.reshape(delta, [-1, 1]),
    ) as tf.Tensor2D;
  } else if (settings.normalization === 'random-walk') {
    const p = saved.degreeFactor!;
    const pColumn = tf.reshape(p, [-1, 1]);
    const rowSums = tf.sum(tf.mul(dNormalized, saved.adjacency), 1);
    const delta = tf.mul(tf.mul(p, p), rowSums);
    dAdjacency = tf.sub(tf.mul(dNormalized, pColumn), tf.reshape(delta, [-1, 1])) as tf.Tensor2D;
  } else {
    dAdjacency = dNormalized;
  }
  let symmetric = tf.add(dAdjacency, tf.transpose(dAdjacency)) as tf.Tensor2D;
  if (!settings.selfLoops) symmetric = tf.mul(symmetric, offDiagonal(batch)) as tf.Tensor2D;
  const projection = tf.sum(tf.mul(symmetric, saved.adjacency), 1);
  const kernel = tf.mul(
    tf.sub(symmetric, tf.mul(tf.reshape(projection, [-1, 1]), identity(batch))),
    saved.inverseNormOuter,
  ) as tf.Tensor2D;
  return tf.div(tf.matMul(kernel, saved.scaled), saved.scale) as tf.Tensor2D;
}

/**
 * The cosine similarity graph of flattened features `x` (`[B, D]`, D >= 1), with the
 * self-loops, normalisation and mask of `settings`, and an analytic gradient with respect to
 * `x` (see `cosineBackward`): a handful of `[B, B]` kernels and one product replace the
 * autodiff of every elementwise step. Same values as the step-by-step formulas of
 * `similarityGraph`. Call it inside `tf.tidy`; no validation.
 *
 * @internal
 */
export function cosineGraphUnchecked(x: tf.Tensor2D, settings: CosineGraphSettings): tf.Tensor2D {
  const graphOf = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const forward = cosineForward(input, settings);
    const kept: tf.Tensor[] = [
      forward.scale,
      forward.scaled,
      forward.inverseNormOuter,
      forward.adjacency,
    ];
    if (forward.degreeFactor !== undefined) kept.push(forward.degreeFactor);
    if (forward.normalized !== undefined) kept.push(forward.normalized, forward.degreeOuter!);
    if (settings.mask !== undefined) kept.push(settings.mask);
    save(kept);
    return {
      value: forward.graph,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [scale, scaled, inverseNormOuter, adjacency, ...rest] = saved;
        let next = 0;
        const degreeFactor =
          forward.degreeFactor === undefined ? undefined : (rest[next++] as tf.Tensor1D);
        const normalized =
          forward.normalized === undefined ? undefined : (rest[next++] as tf.Tensor2D);
        const degreeOuter =
          forward.normalized === undefined ? undefined : (rest[next++] as tf.Tensor2D);
        const mask = settings.mask === undefined ? undefined : (rest[next++] as tf.Tensor2D);
        return [
          cosineBackward(
            dy as tf.Tensor2D,
            {
              scale: scale as tf.Tensor2D,
              scaled: scaled as tf.Tensor2D,
              inverseNormOuter: inverseNormOuter as tf.Tensor2D,
              adjacency: adjacency as tf.Tensor2D,
              degreeFactor,
              normalized,
              degreeOuter,
            },
            { ...settings, mask },
          ),
        ];
      },
    };
  }) as (x: tf.Tensor2D) => tf.Tensor2D;
  return graphOf(x);
}
