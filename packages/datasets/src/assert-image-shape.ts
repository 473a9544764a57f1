import { InvalidArgumentError } from '@geokd/errors';

/**
 * Checks that `shape` is an image shape `[H, W, C]` of three positive integers.
 *
 * Internal: shared by `createDataset` and `syntheticDataset` so both reject a bad shape with the
 * same message; not exported from the package.
 *
 * @param shape - The value to check (anything the caller passed).
 * @param functionName - The public function that validates, e.g. `'createDataset'`.
 * @param argument - The argument's name as the caller wrote it, e.g. `'options.shape'`.
 * @throws {@link InvalidArgumentError} "`functionName`: `argument` must be [H, W, C] of positive
 *   integers, received `JSON.stringify(shape)`" when it is not.
 */
export function assertImageShape(
  shape: unknown,
  functionName: string,
  argument: string,
): asserts shape is [number, number, number] {
  if (
    !Array.isArray(shape) ||
    shape.length !== 3 ||
    !shape.every((d) => Number.isInteger(d) && d > 0)
  ) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: '[H, W, C] of positive integers',
      // JSON.stringify(undefined) is undefined, which leaves ", received ..." off the message.
      received: JSON.stringify(shape),
    });
  }
}
