import { InvalidArgumentError } from '@geokd/errors';

/**
 * A small seeded pseudo-random generator (mulberry32) whose whole state is one 32-bit integer,
 * so it can be written to a checkpoint and restored exactly. The trainer draws one seed per
 * epoch from it for shuffling and augmentation.
 *
 * @example
 * ```ts
 * const random = new SeededRandom(42);
 * const epochSeed = random.nextUint32();
 * const saved = random.state;          // store in a checkpoint
 * const restored = SeededRandom.fromState(saved);
 * ```
 */
export class SeededRandom {
  #state: number;

  /**
   * @param seed - any safe integer; mixed so that nearby seeds give unrelated streams.
   * @throws InvalidArgumentError when `seed` is not a safe integer.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new InvalidArgumentError({
        functionName: 'SeededRandom',
        argument: 'seed',
        expected: 'a safe integer',
        received: String(seed),
      });
    }
    // Fold the high bits in and scramble, so 1 and 2 do not give near-identical streams.
    const high = Math.floor(seed / 2 ** 32) >>> 0;
    this.#state = scramble((seed >>> 0) ^ scramble(high ^ 0x9e3779b9));
  }

  /** Restores a generator from {@link SeededRandom.state}. */
  static fromState(state: number): SeededRandom {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) {
      throw new InvalidArgumentError({
        functionName: 'SeededRandom.fromState',
        argument: 'state',
        expected: 'an unsigned 32-bit integer',
        received: String(state),
      });
    }
    const random = new SeededRandom(0);
    random.#state = state;
    return random;
  }

  /** The full state: an unsigned 32-bit integer. */
  get state(): number {
    return this.#state;
  }

  /** The next value as an unsigned 32-bit integer. */
  nextUint32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** The next value, uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 2 ** 32;
  }
}

function scramble(value: number): number {
  let x = value >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
