import { InvalidArgumentError } from '@geokd/errors';
import { describe, expect, it } from 'vitest';
import { assertImageShape } from './assert-image-shape';
import { createDataset } from './dataset';
import { syntheticDataset } from './synthetic-dataset';

/** The error `assertImageShape` throws for `shape`, or undefined when it accepts it. */
function errorFor(shape: unknown): InvalidArgumentError | undefined {
  try {
    assertImageShape(shape, 'someFunction', 'options.shape');
    return undefined;
  } catch (error) {
    return error as InvalidArgumentError;
  }
}

describe('assertImageShape', () => {
  it('accepts three positive integers', () => {
    expect(errorFor([28, 28, 1])).toBeUndefined();
    expect(errorFor([1, 1, 1])).toBeUndefined();
    expect(errorFor([32, 16, 3])).toBeUndefined();
  });

  it.each([
    ['two dimensions', [2, 2], '[2,2]'],
    ['four dimensions', [2, 2, 1, 1], '[2,2,1,1]'],
    ['a zero', [2, 0, 1], '[2,0,1]'],
    ['a negative', [2, -2, 1], '[2,-2,1]'],
    ['a fraction', [1.5, 2, 1], '[1.5,2,1]'],
    ['NaN', [2, 2, Number.NaN], '[2,2,null]'],
    ['Infinity', [2, Number.POSITIVE_INFINITY, 1], '[2,null,1]'],
    ['a numeric string', [2, '2', 1], '[2,"2",1]'],
    ['a string', 'abc', '"abc"'],
    ['null', null, 'null'],
  ])('rejects %s with a message naming the function, argument and value', (_, shape, shown) => {
    const error = errorFor(shape);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(error?.message).toBe(
      `someFunction: options.shape must be [H, W, C] of positive integers, received ${shown}`,
    );
    expect(error?.functionName).toBe('someFunction');
    expect(error?.argument).toBe('options.shape');
    expect(error?.expected).toBe('[H, W, C] of positive integers');
    expect(error?.received).toBe(shown);
  });

  it('leaves "received" off the message for undefined (JSON.stringify gives nothing)', () => {
    const error = errorFor(undefined);
    expect(error?.message).toBe(
      'someFunction: options.shape must be [H, W, C] of positive integers',
    );
    expect(error?.received).toBeUndefined();
  });

  it('is what createDataset and syntheticDataset throw, with their own names', () => {
    const bad = [2, 0, 1] as unknown as [number, number, number];
    expect(() =>
      createDataset({
        images: new Uint8Array(4),
        labels: Int32Array.from([0]),
        shape: bad,
        numClasses: 2,
      }),
    ).toThrow('createDataset: shape must be [H, W, C] of positive integers, received [2,0,1]');
    expect(() => syntheticDataset({ shape: bad, seed: 1 })).toThrow(
      'syntheticDataset: options.shape must be [H, W, C] of positive integers, received [2,0,1]',
    );
  });
});
