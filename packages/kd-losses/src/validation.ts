import {
  type AssertRankOptions,
  assertFinite,
  assertFloat32,
  assertRank,
  assertTensor,
  describeShape,
  InvalidArgumentError,
} from '@geokd/core';
import * as tf from '@tensorflow/tfjs-core';

// The generic tensor and number checks live in @geokd/core; this file keeps what a
// loss's inputs add to them: a non-empty batch, and student/teacher batch agreement.

/**
 * Throws unless `value` is a live float32 tensor of rank >= `minRank` (rank exactly `rank` when
 * given) with a non-empty batch, holding only finite values. Returns it typed as a tensor.
 */
export function assertFeatures(
  functionName: string,
  argument: string,
  value: unknown,
  options: AssertRankOptions = {},
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
  assertFinite(functionName, argument, tensor);
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
): { student: tf.Tensor; teacher: tf.Tensor } {
  const studentTensor = assertFeatures(functionName, names.student, student, options);
  const teacherTensor = assertFeatures(functionName, names.teacher, teacher, options);
  assertSameBatch(functionName, names.student, studentTensor, names.teacher, teacherTensor);
  return { student: studentTensor, teacher: teacherTensor };
}

/** Flattens `[B, ...]` to `[B, D]`. */
export function flattenBatch(features: tf.Tensor): tf.Tensor2D {
  return tf.reshape(features, [features.shape[0]!, -1]) as tf.Tensor2D;
}
