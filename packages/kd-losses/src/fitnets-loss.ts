import { deriveSeed, InvalidArgumentError, SeededRandom } from '@geokd/core';
import * as tf from '@tensorflow/tfjs-core';
import { definePairLoss } from './define-distillation-loss';
import { stopGradient } from './stop-gradient';
import { assertFeaturePair, assertFeatures } from './validation';

/**
 * The regressor of a FitNets hint: a linear map of the student's channels (the last axis) onto
 * the teacher's, `y = x · kernel + bias`, i.e. a 1×1 convolution on NHWC maps.
 */
export interface FitnetsRegressor {
  /** `[studentChannels, teacherChannels]`. */
  kernel: tf.Tensor2D;
  /** `[teacherChannels]`. */
  bias: tf.Tensor1D;
}

/**
 * FitNets hint loss: the mean squared difference between the teacher's features and the
 * student's features mapped onto the teacher's channels by a trainable regressor,
 *
 *   L = mean over all entries of (x_S · W + b − x_T)²
 *
 * Student `[B, ..., C_S]` and teacher `[B, ..., C_T]` must agree in every axis but the last
 * (e.g. NHWC maps of the same H, W). The teacher side carries no gradient; the regressor's
 * `kernel` and `bias` receive gradients, so that a trainer optimises them with the student.
 *
 * @throws InvalidArgumentError for tensors of rank < 2, batch or spatial mismatch, non-finite
 *   values, or a regressor whose shapes do not fit the channels.
 * @see Romero et al., "FitNets: Hints for Thin Deep Nets", ICLR 2015.
 * @example
 * ```ts
 * const regressor = { kernel: tf.variable(tf.randomNormal([16, 32])), bias: tf.variable(tf.zeros([32])) };
 * const loss = fitnetsLoss(studentMap, teacherMap, regressor);
 * ```
 */
export function fitnetsLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  regressor: FitnetsRegressor,
): tf.Scalar {
  const name = 'fitnetsLoss';
  assertFeaturePair(name, student, teacher);
  const leading = (shape: readonly number[]) => shape.slice(0, -1).join(', ');
  if (student.rank !== teacher.rank || leading(student.shape) !== leading(teacher.shape)) {
    throw new InvalidArgumentError({
      functionName: name,
      argument: 'student',
      expected: `the shape of teacher but the last axis ([${leading(teacher.shape)}, C])`,
      received: `shape [${student.shape.join(', ')}]`,
    });
  }
  const studentChannels = student.shape[student.rank - 1]!;
  const teacherChannels = teacher.shape[teacher.rank - 1]!;
  const kernel = assertFeatures(name, 'regressor.kernel', regressor?.kernel, { rank: 2 });
  if (kernel.shape[0] !== studentChannels || kernel.shape[1] !== teacherChannels) {
    throw new InvalidArgumentError({
      functionName: name,
      argument: 'regressor.kernel',
      expected: `shape [${studentChannels}, ${teacherChannels}] (student by teacher channels)`,
      received: `shape [${kernel.shape.join(', ')}]`,
    });
  }
  const bias = assertFeatures(name, 'regressor.bias', regressor.bias, { rank: 1 });
  if (bias.shape[0] !== teacherChannels) {
    throw new InvalidArgumentError({
      functionName: name,
      argument: 'regressor.bias',
      expected: `shape [${teacherChannels}] (the teacher's channels)`,
      received: `shape [${bias.shape.join(', ')}]`,
    });
  }
  return tf.tidy(() => {
    const rows = tf.reshape(student, [-1, studentChannels]);
    const mapped = tf.add(tf.matMul(rows, kernel as tf.Tensor2D), bias);
    const target = stopGradient(tf.reshape(teacher, [-1, teacherChannels]));
    return tf.mean(tf.squaredDifference(mapped, target)) as tf.Scalar;
  });
}

let regressorCount = 0;

/**
 * A FitNets regressor for `studentChannels → teacherChannels`: a Glorot-uniform kernel drawn
 * from `new SeededRandom(seed)` and a zero bias, as trainable variables the caller disposes.
 */
export function createFitnetsRegressor(
  studentChannels: number,
  teacherChannels: number,
  seed: number,
): { kernel: tf.Variable<tf.Rank.R2>; bias: tf.Variable<tf.Rank.R1> } {
  const limit = Math.sqrt(6 / (studentChannels + teacherChannels));
  const values = new SeededRandom(seed).uniformArray(studentChannels * teacherChannels, limit);
  regressorCount += 1;
  return tf.tidy(() => ({
    kernel: tf.variable(
      tf.tensor2d(values, [studentChannels, teacherChannels]),
      true,
      `fitnets${regressorCount}/kernel`,
    ),
    bias: tf.variable(
      tf.zeros([teacherChannels]),
      true,
      `fitnets${regressorCount}/bias`,
    ) as tf.Variable<tf.Rank.R1>,
  }));
}

/**
 * The registry's declaration of {@link fitnetsLoss}: one regressor per tap pair, created from
 * the taps' channels and owned by the loss (the trainer optimises and checkpoints it).
 */
export const fitnetsDistillationLoss = definePairLoss({
  name: 'fitnets',
  description: 'FitNets hint: MSE between teacher features and regressed student features',
  defaultOptions: {},
  defaultWeight: 100,
  createPairParameters(student, teacher, _options, seed, tap) {
    const regressor = createFitnetsRegressor(
      student[student.length - 1]!,
      teacher[teacher.length - 1]!,
      deriveSeed(seed, `fitnets/tap${tap}`),
    );
    return { kernel: regressor.kernel, bias: regressor.bias };
  },
  computePair(student, teacher, _options, parameters) {
    const { kernel, bias } = parameters;
    if (kernel === undefined || bias === undefined) {
      throw new InvalidArgumentError({
        functionName: 'fitnets',
        argument: 'context.parameters',
        expected: 'the regressor from createParameters (kernel and bias per tap)',
        received: 'no regressor',
      });
    }
    return fitnetsLoss(student, teacher, {
      kernel: kernel as tf.Tensor2D,
      bias: bias as tf.Tensor1D,
    });
  },
});
