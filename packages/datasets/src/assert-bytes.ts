import { InvalidArgumentError } from '@geokd/errors';

/**
 * Throws a clear error unless `bytes` is a `Uint8Array` (a Node `Buffer` is one), so a `null`
 * or an array of numbers never reaches a parser as a raw `TypeError`.
 * @throws {@link InvalidArgumentError} naming the function and the argument.
 * @internal
 */
export function assertBytes(bytes: unknown, functionName: string, argument = 'bytes'): void {
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a Uint8Array',
      received:
        bytes === null
          ? 'null'
          : Array.isArray(bytes)
            ? 'an array'
            : typeof bytes === 'object'
              ? ((bytes as object).constructor?.name ?? 'an object')
              : typeof bytes,
    });
  }
}

/**
 * Throws a clear error unless `options` is an object or undefined.
 * @internal
 */
export function assertOptions(options: unknown, functionName: string): void {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'options',
      expected: 'an options object or undefined',
      received: options === null ? 'null' : typeof options,
    });
  }
}
