/**
 * Independent float64 references (plain JS arrays) used by the tests. Written from the formulas
 * in the README, without tfjs. Not part of the public API (not exported by index.ts).
 */

export type Matrix = number[][];

export interface ReferenceGraphOptions {
  kernel?: 'cosine' | 'dot' | 'gaussian';
  sigma?: number;
  selfLoops?: boolean;
  normalize?: 'symmetric' | 'random-walk' | 'none';
  mask?: Matrix;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `rows` rows of `cols` values uniform in [low, high). */
export function randomMatrix(rows: number, cols: number, seed: number, low = 0, high = 1): Matrix {
  const random = seededRandom(seed);
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => low + (high - low) * random()),
  );
}

function dot(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** The median of the off-diagonal pairwise Euclidean distances (1 when it is 0 or B = 1). */
export function referenceMedianDistance(rows: Matrix): number {
  const distances: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      distances.push(Math.sqrt(rows[i]!.reduce((s, v, k) => s + (v - rows[j]![k]!) ** 2, 0)));
    }
  }
  if (distances.length === 0) return 1;
  distances.sort((a, b) => a - b);
  const n = distances.length;
  const median =
    n % 2 === 1 ? distances[(n - 1) / 2]! : (distances[n / 2 - 1]! + distances[n / 2]!) / 2;
  return median > 0 ? median : 1;
}

/** The similarity graph in float64, following the documented formulas. */
export function referenceSimilarityGraph(
  rows: Matrix,
  options: ReferenceGraphOptions = {},
): Matrix {
  const kernel = options.kernel ?? 'cosine';
  const n = rows.length;
  let a: Matrix;
  if (kernel === 'gaussian') {
    const sigma = options.sigma ?? referenceMedianDistance(rows);
    a = rows.map((xi) =>
      rows.map((xj) =>
        Math.exp(-xi.reduce((s, v, k) => s + (v - xj[k]!) ** 2, 0) / (2 * sigma * sigma)),
      ),
    );
  } else {
    const x =
      kernel === 'cosine'
        ? rows.map((r) => {
            const norm = Math.max(Math.sqrt(dot(r, r)), 1e-12);
            return r.map((v) => v / norm);
          })
        : rows;
    a = x.map((xi) => x.map((xj) => dot(xi, xj)));
  }
  if (!(options.selfLoops ?? false)) for (let i = 0; i < n; i++) a[i]![i] = 0;
  const normalization = options.normalize ?? 'symmetric';
  if (normalization !== 'none') {
    const degree = a.map((row) => row.reduce((s, v) => s + v, 0));
    const inv = degree.map((d) =>
      d > 1e-12 ? (normalization === 'symmetric' ? 1 / Math.sqrt(d) : 1 / d) : 0,
    );
    a = a.map((row, i) =>
      row.map((v, j) => (normalization === 'symmetric' ? v * inv[i]! * inv[j]! : v * inv[i]!)),
    );
  }
  if (options.mask) a = a.map((row, i) => row.map((v, j) => v * options.mask![i]![j]!));
  return a;
}

/** Matrix product in float64. */
export function referenceMatMul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

/** `A^p` by p − 1 plain products. */
export function referencePower(a: Matrix, p: number): Matrix {
  let result = a;
  for (let i = 1; i < p; i++) result = referenceMatMul(result, a);
  return result;
}

/** `tr(Yᵀ (D − A) Y)` with one-hot `Y`, by the trace formula (not the crossing-weight shortcut). */
export function referenceLabelSmoothness(a: Matrix, labels: number[], numClasses: number): number {
  const n = a.length;
  const y = labels.map((l) => Array.from({ length: numClasses }, (_, c) => (c === l ? 1 : 0)));
  const degree = a.map((row) => row.reduce((s, v) => s + v, 0));
  let trace = 0;
  for (let c = 0; c < numClasses; c++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const laplacian = (i === j ? degree[i]! : 0) - a[i]![j]!;
        trace += y[i]![c]! * laplacian * y[j]![c]!;
      }
    }
  }
  return trace;
}

/** Largest absolute difference between two matrices of the same shape. */
export function maxAbsDifference(a: ArrayLike<number> | Matrix, b: Matrix): number {
  const flatA =
    Array.isArray(a) && Array.isArray(a[0])
      ? (a as Matrix).flat()
      : Array.from(a as ArrayLike<number>);
  const flatB = b.flat();
  if (flatA.length !== flatB.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < flatA.length; i++) max = Math.max(max, Math.abs(flatA[i]! - flatB[i]!));
  return max;
}
