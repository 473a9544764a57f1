/**
 * Largest absolute difference divided by the largest absolute expected value: the error measure
 * the kernel tests compare against the cpu backend. Test helper; not exported by the package.
 */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(expected[i] ?? 0));
    maxDiff = Math.max(maxDiff, Math.abs((actual[i] ?? 0) - (expected[i] ?? 0)));
  }
  return maxDiff / Math.max(maxAbs, 1e-12);
}
