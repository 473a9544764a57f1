import { InvalidArgumentError } from '@geokd/errors';

/**
 * A small seeded pseudo-random generator (xoshiro128**, 128-bit state, period 2^128 - 1).
 * Deterministic across platforms; its state can be saved and restored (for checkpoints).
 *
 * @see Blackman & Vigna, "Scrambled Linear Pseudorandom Number Generators", ACM TOMS 2021.
 * @example
 * ```ts
 * const rng = new SeededRandom(42);
 * const state = rng.getState();
 * const a = rng.next();
 * rng.setState(state);
 * rng.next() === a; // true
 * ```
 */
export class SeededRandom {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | undefined;

  /**
   * @param seed - Any finite number; the state is derived from it with splitmix32.
   * @throws {@link InvalidArgumentError} when `seed` is not a finite number.
   */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new InvalidArgumentError({
        functionName: 'SeededRandom',
        argument: 'seed',
        expected: 'a finite number',
        received: String(seed),
      });
    }
    let x = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32)) >>> 0;
    const splitmix = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitmix();
    this.s1 = splitmix();
    this.s2 = splitmix();
    this.s3 = splitmix();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * A uniform integer in [0, n).
   * @throws {@link InvalidArgumentError} when `n` is not a positive integer.
   */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1) {
      throw new InvalidArgumentError({
        functionName: 'SeededRandom.nextInt',
        argument: 'n',
        expected: 'a positive integer',
        received: String(n),
      });
    }
    return Math.floor(this.next() * n);
  }

  /** A standard normal sample (Box-Muller). */
  nextNormal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    const u = 1 - this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `array` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [index: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /** The generator's state, a JSON-serialisable array; pass it to {@link SeededRandom.setState}. */
  getState(): number[] {
    const state = [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
    if (this.spareNormal !== undefined) state.push(this.spareNormal);
    return state;
  }

  /**
   * Restores a state from {@link SeededRandom.getState}.
   * @throws {@link InvalidArgumentError} when `state` is not such a state.
   */
  setState(state: readonly number[]): void {
    if (
      !Array.isArray(state) ||
      (state.length !== 4 && state.length !== 5) ||
      !state.slice(0, 4).every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32) ||
      state.slice(0, 4).every((v) => v === 0)
    ) {
      throw new InvalidArgumentError({
        functionName: 'SeededRandom.setState',
        argument: 'state',
        expected:
          'an array of 4 uint32 values (not all zero) from getState(), optionally a fifth number',
        received: JSON.stringify(state),
      });
    }
    this.s0 = state[0] as number;
    this.s1 = state[1] as number;
    this.s2 = state[2] as number;
    this.s3 = state[3] as number;
    this.spareNormal = state.length === 5 ? state[4] : undefined;
  }

  /** `count` normal draws scaled by `std`, e.g. for a weight initialiser. */
  normalArray(count: number, std: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.nextNormal() * std;
    return out;
  }

  /** `count` uniform draws in [-limit, limit), e.g. for a Glorot-uniform initialiser. */
  uniformArray(count: number, limit: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (this.next() * 2 - 1) * limit;
    return out;
  }

  /** A generator continuing exactly from `state` (from {@link SeededRandom.getState}). */
  static fromState(state: readonly number[]): SeededRandom {
    const random = new SeededRandom(0);
    random.setState(state);
    return random;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
