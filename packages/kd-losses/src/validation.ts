import {
  type AssertRankOptions,
  assertFinite,
  assertFloat32,
  assertRank,
  assertTensor,
  describeShape,
  InvalidArgumentError,
} from '@geokd/core';
import { flattenFeatures, shouldCheckValues } from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';

// The generic tensor and number checks live in @geokd/core; this file keeps what a
// loss's inputs add to them: a non-empty batch, and student/teacher batch agreement.

/**
 * Throws unless `value` is a live float32 tensor of rank >= `minRank` (rank exactly `rank` when
 * given) with a non-empty batch, holding only finite values when value checks are on
 * (`checkFinite`, else `setValueChecks` of @geokd/graph-construction). Returns it as a tensor.
 */
export function assertFeatures(
  functionName: string,
  argument: string,
  value: unknown,
  options: AssertRankOptions = {},
  checkFinite?: boolean,
): tf.Tensor {
  const tensor = assertTensor(functionName, argument, value);
  assertRank(functionName, argument, tensor, options);
  assertFloat32(functionName, argument, tensor);
  // Only the batch must be non-empty: a loss over [B, 0] features is defined.
  if (tensor.shape[0] === 0) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a non-empty batch',
      received: `shape ${describeShape(tensor.shape)}`,
    });
  }
  if (shouldCheckValues(checkFinite)) assertFinite(functionName, argument, tensor);
  return tensor;
}

/** Throws unless the student and teacher tensors have the same batch size. */
export function assertSameBatch(
  functionName: string,
  studentArgument: string,
  student: tf.Tensor,
  teacherArgument: string,
  teacher: tf.Tensor,
): void {
  if (student.shape[0] !== teacher.shape[0]) {
    throw new InvalidArgumentError({
      functionName,
      argument: studentArgument,
      expected: `the batch size of ${teacherArgument}`,
      received: `${student.shape[0]}`,
      message: `${functionName}: ${studentArgument} has batch ${student.shape[0]} but ${teacherArgument} has batch ${teacher.shape[0]}`,
    });
  }
}

/** Validates a student/teacher pair of feature tensors `[B, ...]` (widths may differ). */
export function assertFeaturePair(
  functionName: string,
  student: unknown,
  teacher: unknown,
  names: { student: string; teacher: string } = { student: 'student', teacher: 'teacher' },
  options: AssertRankOptions = {},
  checkFinite?: boolean,
): { student: tf.Tensor; teacher: tf.Tensor } {
  const studentTensor = assertFeatures(functionName, names.student, student, options, checkFinite);
  const teacherTensor = assertFeatures(functionName, names.teacher, teacher, options, checkFinite);
  assertSameBatch(functionName, names.student, studentTensor, names.teacher, teacherTensor);
  return { student: studentTensor, teacher: teacherTensor };
}

/**
 * Flattens `[B, ...]` to `[B, D]`; zero-width features become one zero column (see
 * `flattenFeatures`: the empty vector is the zero vector, and no backend runs a product over an
 * empty inner dimension).
 */
export function flattenBatch(features: tf.Tensor): tf.Tensor2D {
  return flattenFeatures(features);
}

/**
 * `loss`, made NaN when any input holds NaN or ±Inf: `Σ x·0` is 0 for finite x and NaN otherwise
 * (one small reduction per input, no read). With value checks off, a non-finite input then
 * always gives a non-finite loss, which the trainer detects from the value it reads, instead
 * of being hidden by a clamp (`maximum(NaN, ε)` is ε on wasm).
 */
export function propagateNonFinite(loss: tf.Tensor, ...inputs: tf.Tensor[]): tf.Scalar {
  let result = loss;
  for (const input of inputs) {
    // An empty input holds no value (and wasm's Sum over nothing reads uninitialised memory).
    if (input.size > 0) result = tf.add(result, tf.sum(tf.mul(input, 0)));
  }
  return result as tf.Scalar;
}
