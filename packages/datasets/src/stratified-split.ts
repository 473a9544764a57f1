import { InvalidArgumentError } from '@geokd/errors';
import { SeededRandom } from './seeded-random';

/** Options of {@link stratifiedSplit}. */
export interface StratifiedSplitOptions {
  /** Share of each class that goes to the test part, in (0, 1). @default 0.2 */
  testFraction?: number;
  /** Seed of the split. @default 0 */
  seed?: number;
}

/**
 * Splits example indices into disjoint train and test parts so that each class keeps its share
 * (the test part has `round(N * testFraction)` examples, each class `n_c * testFraction` rounded up or down by largest remainder). Both parts come in a seeded
 * random order. The same seed gives the same split.
 *
 * @throws {@link InvalidArgumentError} when `testFraction` is not in (0, 1).
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  options: StratifiedSplitOptions = {},
): { train: Int32Array; test: Int32Array } {
  const testFraction = options.testFraction ?? 0.2;
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new InvalidArgumentError({
      functionName: 'stratifiedSplit',
      argument: 'options.testFraction',
      expected: 'a number in (0, 1)',
      received: String(testFraction),
    });
  }
  const rng = new SeededRandom(options.seed ?? 0);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    let list = byClass.get(label);
    if (list === undefined) {
      list = [];
      byClass.set(label, list);
    }
    list.push(i);
  }
  // Largest remainder: per class floor(n_c * f), then the classes with the largest remainders get
  // one more, so the test part has exactly round(N * f) examples and each class is within 1.
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const quotas = classes.map((label) => (byClass.get(label)?.length ?? 0) * testFraction);
  const testCounts = quotas.map(Math.floor);
  const missing = Math.round(labels.length * testFraction) - testCounts.reduce((a, b) => a + b, 0);
  const byRemainder = quotas
    .map((q, k) => ({ k, r: q - Math.floor(q) }))
    .sort((a, b) => b.r - a.r || a.k - b.k);
  for (let i = 0; i < missing && i < byRemainder.length; i++) {
    const k = (byRemainder[i] as { k: number }).k;
    testCounts[k] = (testCounts[k] as number) + 1;
  }
  const train: number[] = [];
  const test: number[] = [];
  classes.forEach((label, k) => {
    const members = rng.shuffle(byClass.get(label) ?? []);
    const testCount = testCounts[k] as number;
    test.push(...members.slice(0, testCount));
    train.push(...members.slice(testCount));
  });
  return { train: rng.shuffle(Int32Array.from(train)), test: rng.shuffle(Int32Array.from(test)) };
}
