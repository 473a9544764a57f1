import { GeokdError, InvalidArgumentError } from '@geokd/core';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from './checkpoint-error';
import { NonFiniteLossError } from './non-finite-loss-error';

describe('trainer errors', () => {
  it('answer isInstance for their own class only', () => {
    const checkpoint = new CheckpointError({ reason: 'mismatch', path: '/tmp/x', message: 'm' });
    expect(CheckpointError.isInstance(checkpoint)).toBe(true);
    expect(GeokdError.isInstance(checkpoint)).toBe(true);
    expect(InvalidArgumentError.isInstance(checkpoint)).toBe(false);
    expect(NonFiniteLossError.isInstance(checkpoint)).toBe(false);
    const invalid = new InvalidArgumentError({ functionName: 'f', argument: 'a', expected: 'b' });
    expect(CheckpointError.isInstance(invalid)).toBe(false);
  });
});
