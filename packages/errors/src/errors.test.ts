import { describe, expect, it } from 'vitest';
import {
  closestName,
  editDistance,
  GeokdError,
  InvalidArgumentError,
  UnknownNameError,
} from './index';

describe('GeokdError', () => {
  it('is recognised by isInstance, also through a plain object carrying the shared marker', () => {
    const error = new InvalidArgumentError({ functionName: 'f', argument: 'x', expected: 'y' });
    expect(GeokdError.isInstance(error)).toBe(true);
    expect(GeokdError.isInstance(new Error('plain'))).toBe(false);
    expect(GeokdError.isInstance(null)).toBe(false);
    // A second copy of the package defines its own class but the same global symbol.
    const foreign = Object.assign(new Error('copy'), { [Symbol.for('geokd.error')]: true });
    expect(GeokdError.isInstance(foreign)).toBe(true);
  });

  it('builds a message naming the function, the argument, the expectation and the value', () => {
    const error = new InvalidArgumentError({
      functionName: 'knnMask',
      argument: 'k',
      expected: 'an integer >= 1',
      received: '0',
    });
    expect(error.message).toBe('knnMask: k must be an integer >= 1, received 0');
    expect(error.name).toBe('InvalidArgumentError');
    expect(error.code).toBe('invalid-argument');
    expect(error.argument).toBe('k');
  });
});

describe('UnknownNameError', () => {
  it('lists the valid names and suggests the closest one', () => {
    const error = new UnknownNameError({
      kind: 'loss',
      name: 'gkb',
      validNames: ['gkd', 'rkd-distance'],
    });
    expect(error.message).toBe(
      "Unknown loss 'gkb'. Valid loss names: gkd, rkd-distance. Did you mean 'gkd'?",
    );
    expect(error.suggestion).toBe('gkd');
  });

  it('suggests nothing when no name is close', () => {
    expect(closestName('completely-different', ['gkd', 'hinton'])).toBeUndefined();
  });
});

describe('editDistance', () => {
  it('matches hand-computed distances', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('GKD', 'gkd')).toBe(0);
  });

  it('counts a swap of two neighbouring characters as one edit', () => {
    expect(editDistance('gdk', 'gkd')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('abc', 'ca')).toBe(3);
    expect(closestName('gdk', ['gkd', 'pkt', 'hinton'])).toBe('gkd');
  });
});

describe('isInstance per class', () => {
  class OtherError extends GeokdError {}
  it('answers for the class it is called on, not for every geokd error', () => {
    const invalid = new InvalidArgumentError({ functionName: 'f', argument: 'x', expected: 'y' });
    const unknown = new UnknownNameError({ kind: 'loss', name: 'a', validNames: ['b'] });
    const other = new OtherError('other');
    expect(InvalidArgumentError.isInstance(invalid)).toBe(true);
    expect(InvalidArgumentError.isInstance(unknown)).toBe(false);
    expect(InvalidArgumentError.isInstance(other)).toBe(false);
    expect(UnknownNameError.isInstance(unknown)).toBe(true);
    expect(UnknownNameError.isInstance(invalid)).toBe(false);
    expect(OtherError.isInstance(other)).toBe(true);
    expect(GeokdError.isInstance(other)).toBe(true);
    expect(InvalidArgumentError.isInstance(new Error('plain'))).toBe(false);
  });

  it('recognises a subclass of a subclass as its base too', () => {
    class NarrowError extends InvalidArgumentError {}
    const narrow = new NarrowError({ functionName: 'f', argument: 'x', expected: 'y' });
    expect(InvalidArgumentError.isInstance(narrow)).toBe(true);
    expect(NarrowError.isInstance(narrow)).toBe(true);
    expect(
      NarrowError.isInstance(
        new InvalidArgumentError({ functionName: 'f', argument: 'x', expected: 'y' }),
      ),
    ).toBe(false);
  });

  it('works across package copies through the shared class-name marker', () => {
    const foreign = Object.assign(new Error('copy'), {
      [Symbol.for('geokd.error')]: true,
      [Symbol.for('geokd.error.classes')]: ['InvalidArgumentError', 'GeokdError'],
    });
    expect(InvalidArgumentError.isInstance(foreign)).toBe(true);
    expect(UnknownNameError.isInstance(foreign)).toBe(false);
  });
});
