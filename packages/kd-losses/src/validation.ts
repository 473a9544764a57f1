import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';

/** Describes a shape for error messages, e.g. `[4, 3]`. */
function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Throws unless `value` is a live float32 tensor of rank >= `minRank` (rank exactly `rank` when
 * given) holding only finite values. Returns it typed as a tensor.
 */
export function assertFeatures(
  functionName: string,
  argument: string,
  value: unknown,
  options: { minRank?: number; rank?: number } = {},
): tf.Tensor {
  if (!(value instanceof tf.Tensor)) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a tf.Tensor',
      received: value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value,
    });
  }
  if (value.isDisposed) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a live tf.Tensor',
      received: 'a disposed tensor',
    });
  }
  if (options.rank !== undefined && value.rank !== options.rank) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: `a tensor of rank ${options.rank}`,
      received: `rank ${value.rank} (shape ${describeShape(value.shape)})`,
    });
  }
  const minRank = options.minRank ?? 2;
  if (value.rank < minRank) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: `a tensor of rank >= ${minRank} ([B, ...])`,
      received: `rank ${value.rank} (shape ${describeShape(value.shape)})`,
    });
  }
  if (value.dtype !== 'float32') {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a float32 tensor',
      received: `dtype ${value.dtype}`,
    });
  }
  if (value.shape[0] === 0) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a non-empty batch',
      received: `shape ${describeShape(value.shape)}`,
    });
  }
  // sum(x * 0) is 0 for finite input and NaN as soon as one value is NaN or ±Inf.
  const probe = tf.tidy(() => tf.sum(tf.mul(value, tf.scalar(0))));
  const finite = Number.isFinite(probe.dataSync()[0]);
  probe.dispose();
  if (!finite) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'finite (no NaN or Inf values)',
      received: 'a tensor containing NaN or Inf',
    });
  }
  return value;
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
  options: { minRank?: number; rank?: number } = {},
): { student: tf.Tensor; teacher: tf.Tensor } {
  const studentTensor = assertFeatures(functionName, names.student, student, options);
  const teacherTensor = assertFeatures(functionName, names.teacher, teacher, options);
  assertSameBatch(functionName, names.student, studentTensor, names.teacher, teacherTensor);
  return { student: studentTensor, teacher: teacherTensor };
}

/** Throws unless `value` is a finite number > 0. */
export function assertPositive(functionName: string, argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a finite number > 0',
      received: String(value),
    });
  }
  return value;
}

/** Throws unless `value` is an integer >= `min`. */
export function assertInteger(
  functionName: string,
  argument: string,
  value: unknown,
  min: number,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: `an integer >= ${min}`,
      received: String(value),
    });
  }
  return value;
}

/** Flattens `[B, ...]` to `[B, D]`. */
export function flattenBatch(features: tf.Tensor): tf.Tensor2D {
  return tf.reshape(features, [features.shape[0]!, -1]) as tf.Tensor2D;
}
