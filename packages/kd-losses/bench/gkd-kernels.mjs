// Dispatching kernels and wasm time of gkdLoss for the bench's three taps (not a test).
// "Dispatching" kernels launch GPU work on webgpu: Identity, Reshape and same-dtype Cast do not.
// B = 128; student taps [B,16,16,8], [B,8,8,16], [B,32]; teacher taps twice the channels.
//
//   pnpm --filter @geokd/backend build && pnpm --filter @geokd/kd-losses build
//   node bench/gkd-kernels.mjs [--module path/to/kd-losses.mjs ...] [--repeats 15] [--counts-only] [--names]
//
// With several --module paths the wasm timings are interleaved (A B A B ...) and each module's
// median is printed; the first module is the reference for the relative differences.
import * as tf from '@tensorflow/tfjs-core';
import { loadModules, makeInputs, runLossBench } from './loss-module-bench.mjs';

const run = await loadModules('gkdLoss');

/** The default GKD loss (cosine, no self-loops, symmetric) in float64, from the formulas. */
function float64Loss({ students, teachers }) {
  const graph = (tensor) => {
    const b = tensor.shape[0];
    const values = tensor.dataSync();
    const d = values.length / b;
    const unit = [];
    for (let i = 0; i < b; i++) {
      const row = Array.from(values.subarray(i * d, (i + 1) * d));
      const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
      unit.push(row.map((v) => (norm > 0 ? v / norm : 0)));
    }
    const a = unit.map((u, i) =>
      unit.map((v, j) => (i === j ? 0 : u.reduce((s, x, k) => s + x * v[k], 0))),
    );
    const p = a.map((row) => {
      const degree = row.reduce((s, v) => s + v, 0);
      return degree > 1e-12 ? 1 / Math.sqrt(degree) : 0;
    });
    return a.map((row, i) => row.map((v, j) => v * p[i] * p[j]));
  };
  let total = 0;
  students.forEach((student, layer) => {
    const s = graph(student);
    const t = graph(teachers[layer]);
    s.forEach((row, i) => row.forEach((v, j) => (total += (v - t[i][j]) ** 2)));
  });
  return total / students.length;
}

function forwardBackward(gkdLoss, students, teachers, options) {
  const { value, grads } = tf.valueAndGrads((...xs) => gkdLoss(xs, teachers, options))(students);
  return [value, ...grads];
}

await runLossBench({
  run,
  variants: {
    default: {},
    'gkd-dense (k = B, power 1)': { k: 128, power: 1 },
  },
  forward: (gkdLoss, students, teachers, options) => gkdLoss(students, teachers, options),
  forwardBackward,
  describeLoss: (inputs) => `float64 ${float64Loss(inputs).toPrecision(6)}`,
});
