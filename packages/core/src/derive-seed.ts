/**
 * A 32-bit seed derived from a base seed and a name (FNV-1a of the name, mixed with the seed),
 * so that each named stream (a model parameter, a loss's regressor) gets its own reproducible
 * generator: `new SeededRandom(deriveSeed(seed, 'stage1/conv/kernel'))`.
 *
 * @param seed - the run's or model's seed (any safe integer; the high bits are folded in).
 * @param name - the stream's name.
 * @returns an unsigned 32-bit integer.
 */
export function deriveSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= Math.floor(seed / 4294967296) >>> 0;
  return Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
}
