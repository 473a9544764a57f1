/**
 * A small seeded pseudo-random generator (mulberry32) with uniform and normal draws, used to
 * initialise weights reproducibly: the same seed and parameter name always give the same values,
 * whatever the backend.
 */
export class SeededRandom {
  private state: number;

  /** @param seed - any integer; it is reduced to 32 bits. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform draw in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    let u = this.uniform();
    while (u <= Number.EPSILON) u = this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** `count` normal draws with the given standard deviation. */
  normalArray(count: number, std: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.normal() * std;
    return out;
  }

  /** `count` uniform draws in [-limit, limit). */
  uniformArray(count: number, limit: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (this.uniform() * 2 - 1) * limit;
    return out;
  }
}

// deriveSeed is defined once, in @geokd/core, and re-exported here for this package's files.
export { deriveSeed } from '@geokd/core';
