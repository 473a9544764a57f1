import { InvalidArgumentError } from '@geokd/errors';
import {
  assertInteger,
  type ClassMaskMode,
  classMask,
  describeShape,
  graphPower,
  knnMask,
  type SimilarityGraphOptions,
  shouldCheckValues,
  similarityGraph,
  type ValueCheckOptions,
} from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient';
import { assertFeatures, assertSameBatch } from './validation';
import type { DistillationLoss } from './distillation-loss';
import { assertTapCounts } from './define-distillation-loss';

/** Options of {@link gkdLoss}. */
export interface GkdLossOptions extends ValueCheckOptions {
  /**
   * Keep, in both graphs, only the edges of the teacher graph's k nearest neighbours per node
   * (`knnMask(Â_T, k)`, symmetrised by union). k ≥ B keeps every edge.
   * @default undefined (dense graphs)
   */
  k?: number;
  /**
   * Compare the p-th powers of the (masked) graphs, Â^p: p-hop geometry.
   * @default 1
   */
  power?: number;
  /**
   * Restrict both graphs to same-class (`'intra'`) or different-class (`'inter'`) edges, with
   * the batch's integer labels `[B]`.
   * @default undefined (no class mask)
   */
  classes?: { labels: tf.Tensor1D; mode: ClassMaskMode };
  /**
   * How each graph is built (kernel, self-loops, normalisation); `mask` is set by this loss.
   * @default the `similarityGraph` defaults: cosine, no self-loops, symmetric normalisation
   */
  graph?: Omit<SimilarityGraphOptions, 'mask'>;
}

/**
 * Graph knowledge distillation (GKD): make the student's similarity graphs of a batch look
 * like the teacher's, layer by layer.
 *
 * For each layer pair ℓ, Â_T and Â_S are `similarityGraph` adjacencies `[B, B]` of the teacher's
 * and the student's features (widths may differ: the graphs are B×B whatever the width). An
 * optional mask M (the teacher's kNN mask and/or a class mask) multiplies both graphs after
 * normalisation, then the optional power p applies:
 *
 *   L_ℓ = Σᵢⱼ ((M ⊙ Â_T)^p − (M ⊙ Â_S)^p)ᵢⱼ²,   L = (1/L) Σ_ℓ L_ℓ
 *
 * (a sum over the B² entries per layer, a mean across layers: three layers give the seed's
 * `/3`). The teacher side carries no gradient.
 *
 * @param studentFeatures - one tensor `[B, ...]` per distilled layer (flattened to `[B, D]`).
 * @param teacherFeatures - the teacher's tensors for the same layers, same order and batch.
 * @returns a scalar.
 * Never NaN for finite input anywhere in float32's range with the default cosine graphs (see
 * `similarityGraph` for the kernels that are not scale-invariant). Zero-width features `[B, 0]`
 * are the zero vectors (a zero cosine graph). Input values (NaN/Inf, label values) are checked
 * only when asked: `checkFinite`, or `setValueChecks(true)` of @geokd/graph-construction.
 *
 * @throws InvalidArgumentError for empty or unequal layer lists, a tensor of rank < 2, batch
 *   mismatch, `k` < 1 or not an integer, `power` < 1, labels of the wrong length, or (value
 *   checks on) non-finite values.
 * @see Lassance et al., "Deep geometric knowledge distillation with graphs", ICASSP 2020.
 * @example
 * ```ts
 * const loss = gkdLoss([studentStage1, studentPool], [teacherStage1, teacherPool], { k: 16 });
 * ```
 */
export function gkdLoss(
  studentFeatures: readonly tf.Tensor[],
  teacherFeatures: readonly tf.Tensor[],
  options: GkdLossOptions = {},
): tf.Scalar {
  const name = 'gkdLoss';
  if (!Array.isArray(studentFeatures) || studentFeatures.length === 0) {
    throw new InvalidArgumentError({
      functionName: name,
      argument: 'studentFeatures',
      expected: 'a non-empty array of tensors (one per layer)',
      received: Array.isArray(studentFeatures) ? 'an empty array' : typeof studentFeatures,
    });
  }
  if (!Array.isArray(teacherFeatures) || teacherFeatures.length !== studentFeatures.length) {
    throw new InvalidArgumentError({
      functionName: name,
      argument: 'teacherFeatures',
      expected: `an array of ${studentFeatures.length} tensors (as many layers as studentFeatures)`,
      received: Array.isArray(teacherFeatures)
        ? `${teacherFeatures.length} tensors`
        : typeof teacherFeatures,
    });
  }
  studentFeatures.forEach((student, layer) => {
    const teacher = teacherFeatures[layer];
    assertFeatures(name, `studentFeatures[${layer}]`, student, {}, options.checkFinite);
    assertFeatures(name, `teacherFeatures[${layer}]`, teacher, {}, options.checkFinite);
    assertSameBatch(
      name,
      `studentFeatures[${layer}]`,
      student,
      `teacherFeatures[${layer}]`,
      teacher!,
    );
  });
  const batch = studentFeatures[0]!.shape[0]!;
  studentFeatures.forEach((student, layer) => {
    if (student.shape[0] !== batch) {
      throw new InvalidArgumentError({
        functionName: name,
        argument: `studentFeatures[${layer}]`,
        expected: `batch ${batch} (the batch of studentFeatures[0])`,
        received: `batch ${student.shape[0]}`,
      });
    }
  });
  const k = options.k === undefined ? undefined : assertInteger(name, 'options.k', options.k, 1);
  const power =
    options.power === undefined ? 1 : assertInteger(name, 'options.power', options.power, 1);
  if (options.classes !== undefined) {
    const labels = options.classes.labels;
    if (!(labels instanceof tf.Tensor) || labels.rank !== 1 || labels.shape[0] !== batch) {
      throw new InvalidArgumentError({
        functionName: name,
        argument: 'options.classes.labels',
        expected: `a rank-1 tensor of ${batch} labels (the batch size)`,
        received:
          labels instanceof tf.Tensor ? `shape ${describeShape(labels.shape)}` : typeof labels,
      });
    }
  }

  return tf.tidy(() => {
    const classes = options.classes;
    const classMatrix =
      classes === undefined
        ? undefined
        : classMask(classes.labels, classes.mode, { checkFinite: options.checkFinite });
    const perLayer = studentFeatures.map((student, layer) => {
      const graphOptions = { ...options.graph, checkFinite: false };
      const teacherGraph = stopGradient(similarityGraph(teacherFeatures[layer]!, graphOptions));
      let mask: tf.Tensor2D | undefined = classMatrix;
      // k >= B keeps every edge: the all-ones mask would change nothing but cost two products
      // (knnMask still runs when value checks are on, to check the teacher graph's values).
      if (k !== undefined && (k < batch || shouldCheckValues())) {
        const neighbours = knnMask(teacherGraph as tf.Tensor2D, k);
        if (k < batch) {
          mask = mask === undefined ? neighbours : (tf.mul(mask, neighbours) as tf.Tensor2D);
        }
      }
      const maskedTeacher = (
        mask === undefined ? teacherGraph : tf.mul(teacherGraph, mask)
      ) as tf.Tensor2D;
      const studentGraph = similarityGraph(
        student,
        mask === undefined ? graphOptions : { ...graphOptions, mask },
      );
      const teacherPower = power === 1 ? maskedTeacher : graphPower(maskedTeacher, power);
      const studentPower = power === 1 ? studentGraph : graphPower(studentGraph, power);
      return { teacher: teacherPower, student: studentPower };
    });
    // No propagateNonFinite: similarityGraph already makes every entry of a graph NaN when its
    // features hold NaN/Inf (Σ x·0 added on the forward pass), so the loss is NaN then too.
    return meanSquaredDistance(
      perLayer.map((layer) => layer.student),
      perLayer.map((layer) => layer.teacher),
    );
  });
}

/**
 * `(1/L) Σ_ℓ Σ_ij (S_ℓ − T_ℓ)²_ij` over L pairs of graphs, differentiated with respect to the
 * student graphs only: `∂/∂S_ℓ = (2/L) (S_ℓ − T_ℓ)`, one scalar and two `[B, B]` kernels per
 * layer (autodiff of squaredDifference, sum, addN and the division takes twice as many).
 */
function meanSquaredDistance(students: tf.Tensor2D[], teachers: tf.Tensor2D[]): tf.Scalar {
  const layers = students.length;
  // The teacher graphs are inputs too (with a zero gradient, uploaded, not computed), so that
  // differentiating with respect to the teacher's features gives zeros, not an error.
  const mean = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[2 * layers] as tf.GradSaveFunc;
    const graphs = args.slice(0, 2 * layers) as tf.Tensor2D[];
    save(graphs);
    const sums = graphs
      .slice(0, layers)
      .map((graph, layer) => tf.sum(tf.squaredDifference(graph, graphs[layers + layer]!)));
    return {
      value: tf.div(layers === 1 ? sums[0]! : tf.addN(sums), layers) as tf.Scalar,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const factor = tf.mul(dy as tf.Tensor, 2 / layers);
        return [
          ...saved
            .slice(0, layers)
            .map((graph, layer) => tf.mul(tf.sub(graph, saved[layers + layer]!), factor)),
          ...saved.slice(layers).map((graph) => tf.zeros(graph.shape)),
        ];
      },
    };
  });
  return mean(...students, ...teachers) as tf.Scalar;
}

/** Options of the `gkd` registry entry: {@link GkdLossOptions}, with the labels from the context. */
export interface GkdDistillationLossOptions extends Omit<GkdLossOptions, 'classes'> {
  /** A class mask built from the batch labels the trainer passes. @default undefined */
  classes?: { mode: ClassMaskMode };
  /** @deprecated use `classes: { mode }`, as {@link gkdLoss} takes it. */
  classMode?: ClassMaskMode;
}

/**
 * The registry's declaration of {@link gkdLoss}. Its options are those of `gkdLoss`, except that
 * `classes` gives only the `mode`: the labels are the batch's, from the loss context.
 */
export const gkdDistillationLoss: DistillationLoss<GkdDistillationLossOptions> = {
  name: 'gkd',
  description: 'graph knowledge distillation: match the similarity graphs of the batch, per tap',
  input: 'features',
  usesLabels: true,
  optionNames: ['k', 'power', 'classes', 'graph', 'checkFinite', 'classMode'],
  defaultOptions: {
    k: undefined,
    power: 1,
    classes: undefined,
    graph: undefined,
    checkFinite: undefined,
  },
  defaultWeight: 25,
  compute(student, teacher, options, context) {
    assertTapCounts('gkd', student, teacher);
    const { classMode, classes, ...rest } = options;
    const argument = classes === undefined ? 'options.classMode' : 'options.classes.mode';
    const mode = classes?.mode ?? classMode;
    if (mode !== undefined && mode !== 'intra' && mode !== 'inter') {
      throw new InvalidArgumentError({
        functionName: 'gkd',
        argument,
        expected: "'intra' or 'inter'",
        received: String(mode),
      });
    }
    if (mode !== undefined && context.labels === undefined) {
      throw new InvalidArgumentError({
        functionName: 'gkd',
        argument,
        expected: 'labels in the loss context (the trainer passes the batch labels)',
        received: 'no labels',
      });
    }
    return gkdLoss(student, teacher, {
      ...rest,
      classes: mode === undefined ? undefined : { labels: context.labels!, mode },
    });
  },
};
