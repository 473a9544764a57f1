import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertFinite,
  assertFloat32,
  assertInteger,
  assertPositive,
  assertRank,
  assertTensor,
  describeShape,
} from './validation';

/** Runs `check`, expects an InvalidArgumentError with exactly `message`, and returns it. */
function expectInvalid(check: () => unknown, message: string): InvalidArgumentError {
  let thrown: unknown;
  try {
    check();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidArgumentError);
  expect((thrown as InvalidArgumentError).message).toBe(message);
  return thrown as InvalidArgumentError;
}

describe('describeShape', () => {
  it('writes a shape in brackets, a scalar as []', () => {
    expect(describeShape([4, 3])).toBe('[4, 3]');
    expect(describeShape([64, 32, 8, 8])).toBe('[64, 32, 8, 8]');
    expect(describeShape([7])).toBe('[7]');
    expect(describeShape([])).toBe('[]');
  });
});

describe('assertInteger', () => {
  it('returns an integer at or above the minimum', () => {
    expect(assertInteger('fn', 'k', 1, 1)).toBe(1);
    expect(assertInteger('fn', 'k', 16, 1)).toBe(16);
    expect(assertInteger('fn', 'offset', -2, -3)).toBe(-2);
  });

  it('rejects values below the minimum, fractions, non-finite values and non-numbers', () => {
    const error = expectInvalid(
      () => assertInteger('knnMask', 'k', 0, 1),
      'knnMask: k must be an integer >= 1, received 0',
    );
    expect(error.functionName).toBe('knnMask');
    expect(error.argument).toBe('k');
    expect(error.expected).toBe('an integer >= 1');
    expect(error.received).toBe('0');
    expectInvalid(
      () => assertInteger('fn', 'options.power', 1.5, 1),
      'fn: options.power must be an integer >= 1, received 1.5',
    );
    expectInvalid(
      () => assertInteger('fn', 'k', Number.POSITIVE_INFINITY, 1),
      'fn: k must be an integer >= 1, received Infinity',
    );
    expectInvalid(
      () => assertInteger('fn', 'k', Number.NaN, 1),
      'fn: k must be an integer >= 1, received NaN',
    );
    expectInvalid(
      () => assertInteger('fn', 'k', '2', 1),
      'fn: k must be an integer >= 1, received 2',
    );
    expectInvalid(
      () => assertInteger('fn', 'k', undefined, 1),
      'fn: k must be an integer >= 1, received undefined',
    );
  });
});

describe('assertPositive', () => {
  it('returns a finite number > 0', () => {
    expect(assertPositive('fn', 'options.temperature', 4)).toBe(4);
    expect(assertPositive('fn', 'options.sigma', 1e-30)).toBe(1e-30);
  });

  it('rejects zero, negatives, NaN, Inf and non-numbers', () => {
    for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, null, '1']) {
      const error = expectInvalid(
        () => assertPositive('hintonKdLoss', 'options.temperature', value),
        `hintonKdLoss: options.temperature must be a finite number > 0, received ${String(value)}`,
      );
      expect(error.expected).toBe('a finite number > 0');
    }
  });
});

describe.each(['cpu', 'wasm'])('tensor checks on the %s backend', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  describe('assertTensor', () => {
    it('returns a live tensor as it is', () => {
      const x = tf.ones([2, 3]);
      expect(assertTensor('fn', 'features', x)).toBe(x);
      x.dispose();
    });

    it('names what it received instead of a tensor', () => {
      const cases: [unknown, string][] = [
        [null, 'null'],
        [undefined, 'undefined'],
        [[1, 2], 'an array'],
        [{ shape: [2] }, 'object'],
        [3, 'number'],
        ['x', 'string'],
      ];
      for (const [value, received] of cases) {
        const error = expectInvalid(
          () => assertTensor('myLoss', 'student', value),
          `myLoss: student must be a tf.Tensor, received ${received}`,
        );
        expect(error.argument).toBe('student');
      }
    });

    it('rejects a disposed tensor', () => {
      const x = tf.ones([2, 3]);
      x.dispose();
      expectInvalid(
        () => assertTensor('myLoss', 'student', x),
        'myLoss: student must be a live tf.Tensor, received a disposed tensor',
      );
    });
  });

  describe('assertRank', () => {
    it('accepts rank >= 2 by default, and the minimum or exact rank asked for', () => {
      const matrix = tf.ones([2, 3]);
      const maps = tf.ones([2, 2, 2, 1]);
      const vector = tf.ones([3]);
      expect(() => assertRank('fn', 'x', matrix)).not.toThrow();
      expect(() => assertRank('fn', 'x', maps)).not.toThrow();
      expect(() => assertRank('fn', 'x', vector, { minRank: 1 })).not.toThrow();
      expect(() => assertRank('fn', 'x', maps, { rank: 4 })).not.toThrow();
      // An exact rank overrides the minimum.
      expect(() => assertRank('fn', 'x', vector, { rank: 1, minRank: 2 })).not.toThrow();
      tf.dispose([matrix, maps, vector]);
    });

    it('rejects a rank below the minimum, with the shape', () => {
      const vector = tf.ones([3]);
      const matrix = tf.ones([2, 3]);
      expectInvalid(
        () => assertRank('similarityGraph', 'features', vector),
        'similarityGraph: features must be a tensor of rank >= 2 ([B, ...]), received rank 1 (shape [3])',
      );
      expectInvalid(
        () => assertRank('fn', 'x', matrix, { minRank: 3 }),
        'fn: x must be a tensor of rank >= 3 ([B, ...]), received rank 2 (shape [2, 3])',
      );
      tf.dispose([vector, matrix]);
    });

    it('rejects a rank other than the exact one', () => {
      const matrix = tf.ones([8, 3]);
      expectInvalid(
        () => assertRank('attentionTransferLoss', 'student', matrix, { rank: 4 }),
        'attentionTransferLoss: student must be a tensor of rank 4, received rank 2 (shape [8, 3])',
      );
      matrix.dispose();
    });
  });

  describe('assertFloat32', () => {
    it('accepts float32 and rejects other dtypes', () => {
      const floats = tf.ones([2]);
      const ints = tf.ones([2], 'int32');
      const bools = tf.ones([2], 'bool');
      expect(() => assertFloat32('fn', 'x', floats)).not.toThrow();
      expectInvalid(
        () => assertFloat32('fn', 'x', ints),
        'fn: x must be a float32 tensor, received dtype int32',
      );
      expectInvalid(
        () => assertFloat32('fn', 'x', bools),
        'fn: x must be a float32 tensor, received dtype bool',
      );
      tf.dispose([floats, ints, bools]);
    });
  });

  describe('assertFinite', () => {
    it('accepts finite float32 and int32 tensors, empty ones included', () => {
      const floats = tf.tensor2d([
        [1, -2],
        [3.5, 3e38],
      ]);
      const ints = tf.tensor1d([1, 2, 3], 'int32');
      const empty = tf.zeros([0, 3]);
      expect(() => assertFinite('fn', 'x', floats)).not.toThrow();
      expect(() => assertFinite('fn', 'x', ints)).not.toThrow();
      expect(() => assertFinite('fn', 'x', empty)).not.toThrow();
      tf.dispose([floats, ints, empty]);
    });

    it('rejects one NaN, +Inf or -Inf anywhere', () => {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, bad], [2, 2, 2]);
        expectInvalid(
          () => assertFinite('gkdLoss', 'teacherFeatures[0]', x),
          'gkdLoss: teacherFeatures[0] must be finite (no NaN or Inf values), received a tensor containing NaN or Inf',
        );
        x.dispose();
      }
    });

    it('leaks no tensor, whether it passes or throws', () => {
      const good = tf.ones([4, 4]);
      const bad = tf.tensor1d([Number.NaN]);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) {
        assertFinite('fn', 'x', good);
        expect(() => assertFinite('fn', 'x', bad)).toThrow(InvalidArgumentError);
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([good, bad]);
    });
  });
});
