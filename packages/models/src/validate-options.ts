import { InvalidArgumentError } from '@geokd/errors';

/** Throws unless `value` is an integer >= `min`. @internal */
export function checkInteger(fn: string, argument: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument,
      expected: `an integer >= ${min}`,
      received: String(value),
    });
  }
  return value;
}

/** Throws unless `value` is a finite integer (a seed). @internal */
export function checkSeed(fn: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.seed',
      expected: 'a safe integer',
      received: String(value),
    });
  }
  return value;
}

/** Throws unless `value` is `[H, W, C]` of positive integers. @internal */
export function checkInputShape(fn: string, value: unknown): [number, number, number] {
  if (
    !Array.isArray(value) ||
    value.length !== 3 ||
    !value.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1)
  ) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.inputShape',
      expected: '[height, width, channels] of positive integers',
      received: JSON.stringify(value),
    });
  }
  return [value[0], value[1], value[2]];
}

/** Throws unless `value` is a non-empty array of integers >= 1. @internal */
export function checkIntegerList(fn: string, argument: string, value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument,
      expected: 'a non-empty array of integers >= 1',
      received: JSON.stringify(value),
    });
  }
  value.forEach((v, i) => {
    checkInteger(fn, `${argument}[${i}]`, v, 1);
  });
  return [...value];
}
