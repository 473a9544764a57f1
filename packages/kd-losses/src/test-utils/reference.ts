/**
 * Test-only float64 reference implementations in plain JavaScript, written from the formulas in
 * the TSDoc, independent of tfjs. Matrices are arrays of rows.
 */
export type Matrix = number[][];

export function flatten(features: number[][] | number[][][][]): Matrix {
  return (features as unknown[]).map((row) => (row as unknown[]).flat(3) as number[]);
}

const dot = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

/** similarityGraph defaults: cosine, no self-loops, symmetric normalisation (degree ≤ 1e-12 → 0). */
export function cosineGraph(x: Matrix): Matrix {
  const b = x.length;
  const unit = x.map((row) => {
    const n = norm(row);
    return row.map((v) => (n > 0 ? v / n : 0));
  });
  const a = unit.map((ri, i) => unit.map((rj, j) => (i === j ? 0 : dot(ri, rj))));
  const degree = a.map((row) => row.reduce((s, v) => s + v, 0));
  const scale = degree.map((d) => (d > 1e-12 ? 1 / Math.sqrt(d) : 0));
  return a.map((row, i) => row.map((v, j) => v * scale[i]! * scale[j]!)).slice(0, b);
}

/** k largest per row (ties: lower column), symmetrised by union. */
export function knn(a: Matrix, k: number): Matrix {
  const b = a.length;
  const mask = a.map(() => new Array<number>(b).fill(0));
  a.forEach((row, i) => {
    const order = row.map((v, j) => [v, j] as const).sort((p, q) => q[0] - p[0] || p[1] - q[1]);
    for (const [, j] of order.slice(0, Math.min(k, b))) mask[i]![j] = 1;
  });
  return mask.map((row, i) => row.map((v, j) => Math.min(1, v + mask[j]![i]!)));
}

export function classMaskReference(labels: number[], mode: 'intra' | 'inter'): Matrix {
  return labels.map((li) => labels.map((lj) => ((li === lj) === (mode === 'intra') ? 1 : 0)));
}

export function matMul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

export function gkdReference(
  students: Matrix[],
  teachers: Matrix[],
  options: { k?: number; power?: number; labels?: number[]; mode?: 'intra' | 'inter' } = {},
): number {
  let total = 0;
  students.forEach((student, layer) => {
    const teacherGraph = cosineGraph(teachers[layer]!);
    const studentGraph = cosineGraph(student);
    const b = student.length;
    let mask: Matrix = student.map(() => new Array<number>(b).fill(1));
    if (options.labels) mask = classMaskReference(options.labels, options.mode ?? 'intra');
    if (options.k !== undefined) {
      const neighbours = knn(teacherGraph, options.k);
      mask = mask.map((row, i) => row.map((v, j) => v * neighbours[i]![j]!));
    }
    let t = teacherGraph.map((row, i) => row.map((v, j) => v * mask[i]![j]!));
    let s = studentGraph.map((row, i) => row.map((v, j) => v * mask[i]![j]!));
    const t1 = t;
    const s1 = s;
    for (let p = 1; p < (options.power ?? 1); p++) {
      t = matMul(t, t1);
      s = matMul(s, s1);
    }
    t.forEach((row, i) => {
      row.forEach((v, j) => {
        total += (v - s[i]![j]!) ** 2;
      });
    });
  });
  return total / students.length;
}

const huber = (d: number) => (Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5);

function distances(x: Matrix): Matrix {
  return x.map((ri, i) =>
    x.map((rj, j) =>
      i === j
        ? 0
        : Math.sqrt(
            Math.max(
              ri.reduce((s, v, k) => s + (v - rj[k]!) ** 2, 0),
              1e-12,
            ),
          ),
    ),
  );
}

export function rkdDistanceReference(student: Matrix, teacher: Matrix): number {
  const b = student.length;
  const normalise = (d: Matrix) => {
    const mean = Math.max(d.flat().reduce((s, v) => s + v, 0) / (b * (b - 1)), 1e-12);
    return d.map((row) => row.map((v) => v / mean));
  };
  const ds = normalise(distances(student));
  const dt = normalise(distances(teacher));
  let total = 0;
  for (let i = 0; i < b; i++)
    for (let j = 0; j < b; j++) if (i !== j) total += huber(ds[i]![j]! - dt[i]![j]!);
  return total / (b * (b - 1));
}

function angles(x: Matrix): number[][][] {
  return x.map((xi, i) =>
    x.map((xj, j) =>
      x.map((xk, k) => {
        if (j === i || k === i) return 0;
        const eij = xj.map((v, d) => v - xi[d]!);
        const eik = xk.map((v, d) => v - xi[d]!);
        const denominator = Math.max(norm(eij), 1e-6) * Math.max(norm(eik), 1e-6);
        return dot(eij, eik) / denominator;
      }),
    ),
  );
}

export function rkdAngleReference(student: Matrix, teacher: Matrix): number {
  const b = student.length;
  const as = angles(student);
  const at = angles(teacher);
  let total = 0;
  for (let i = 0; i < b; i++)
    for (let j = 0; j < b; j++)
      for (let k = 0; k < b; k++)
        if (j !== i && k !== i) total += huber(as[i]![j]![k]! - at[i]![j]![k]!);
  return total / (b * (b - 1) * (b - 1));
}

export function hintonReference(student: Matrix, teacher: Matrix, temperature: number): number {
  const logSoftmax = (row: number[]) => {
    const scaled = row.map((v) => v / temperature);
    const max = Math.max(...scaled);
    const logSum = Math.log(scaled.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
    return scaled.map((v) => v - logSum);
  };
  let total = 0;
  student.forEach((row, b) => {
    const ls = logSoftmax(row);
    const lt = logSoftmax(teacher[b]!);
    lt.forEach((v, c) => {
      total += Math.exp(v) * (v - ls[c]!);
    });
  });
  return (total / student.length) * temperature * temperature;
}

/**
 * The gradient of {@link hintonReference} w.r.t. the student logits from its formula,
 * (T / B)(p_S − p_T) with p = softmax(z / T), in float64 (accurate while p_S − p_T does not
 * cancel in float64, i.e. T up to ~1e8 for logits of order 1).
 */
export function hintonGradientReference(
  student: Matrix,
  teacher: Matrix,
  temperature: number,
): Matrix {
  const softmax = (row: number[]) => {
    const scaled = row.map((v) => v / temperature);
    const max = Math.max(...scaled);
    const e = scaled.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / sum);
  };
  return student.map((row, b) => {
    const ps = softmax(row);
    const pt = softmax(teacher[b]!);
    return ps.map((p, c) => ((p - pt[c]!) * temperature) / student.length);
  });
}

export function similarityPreservingReference(student: Matrix, teacher: Matrix): number {
  const g = (x: Matrix) =>
    x.map((ri) => {
      const row = x.map((rj) => dot(ri, rj));
      const n = Math.max(norm(row), 1e-12);
      return row.map((v) => v / n);
    });
  const gs = g(student);
  const gt = g(teacher);
  let total = 0;
  gs.forEach((row, i) => {
    row.forEach((v, j) => {
      total += (v - gt[i]![j]!) ** 2;
    });
  });
  return total / student.length ** 2;
}

/** Feature maps as [B][H][W][C]. */
export function attentionReference(student: number[][][][], teacher: number[][][][]): number {
  const map = (x: number[][][][]) =>
    x.map((example) => {
      const q = example.flatMap((row) =>
        row.map((pixel) => pixel.reduce((s, v) => s + v * v, 0) / pixel.length),
      );
      const n = Math.max(norm(q), 1e-12);
      return q.map((v) => v / n);
    });
  const as = map(student);
  const at = map(teacher);
  let total = 0;
  let count = 0;
  as.forEach((row, b) => {
    row.forEach((v, p) => {
      total += (v - at[b]![p]!) ** 2;
      count += 1;
    });
  });
  return total / count;
}

export function pktReference(student: Matrix, teacher: Matrix): number {
  const eps = 1e-7;
  const probabilities = (x: Matrix) => {
    const unit = x.map((row) => {
      const n = norm(row);
      return row.map((v) => v / (n + eps));
    });
    const kernel = unit.map((ri) => unit.map((rj) => (dot(ri, rj) + 1) / 2));
    return kernel.map((row) => {
      const s = row.reduce((a, v) => a + v, 0);
      return row.map((v) => v / s);
    });
  };
  const ps = probabilities(student);
  const pt = probabilities(teacher);
  let total = 0;
  pt.forEach((row, i) => {
    row.forEach((v, j) => {
      total += v * Math.log((v + eps) / (ps[i]![j]! + eps));
    });
  });
  return total / student.length ** 2;
}

/** Seeded uniform numbers in [low, high) (mulberry32). */
export function seededValues(count: number, seed: number, low = -1, high = 1): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return low + unit * (high - low);
  });
}

export function seededMatrix(
  rows: number,
  columns: number,
  seed: number,
  low = -1,
  high = 1,
): Matrix {
  const values = seededValues(rows * columns, seed, low, high);
  return Array.from({ length: rows }, (_, i) => values.slice(i * columns, (i + 1) * columns));
}

/** Central finite-difference gradient of a float64 function of a matrix. */
export function finiteDifferenceGradient(f: (x: Matrix) => number, x: Matrix, h = 1e-6): Matrix {
  return x.map((row, i) =>
    row.map((_, j) => {
      const plus = x.map((r) => [...r]);
      const minus = x.map((r) => [...r]);
      plus[i]![j]! += h;
      minus[i]![j]! -= h;
      return (f(plus) - f(minus)) / (2 * h);
    }),
  );
}
