// Benchmark of similarityGraph (not a test): ms per forward, and per forward+backward of a
// squared-difference loss between a student graph and a fixed teacher graph, gradient with
// respect to the student features. B = 128, D = 16384 (a WRN stage-1 map, 16×32×32) by default.
//
//   pnpm --filter @geokd/graph-construction build
//   flock /tmp/cpu-heavy.lock pnpm --filter @geokd/graph-construction bench
//
// Env: BENCH_BATCH, BENCH_DIM, BENCH_BACKENDS (comma list, default cpu,wasm), BENCH_ITERS.
// "stock" rows use tf.matMul(x, x, false, true) (BatchMatMul with a transposed operand) for
// the gram matrix, as a naive implementation would; "geokd" rows are the package's functions.
import '@tensorflow/tfjs'; // registers the gradients on the shared tfjs-core engine
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { similarityGraph } from '../dist/index.js';

const batch = Number(process.env.BENCH_BATCH ?? 128);
const dim = Number(process.env.BENCH_DIM ?? 16384);
const backends = (process.env.BENCH_BACKENDS ?? 'cpu,wasm').split(',');

/** Stock cosine graph (same formula and options as the defaults) with a transposed matMul. */
function stockCosineGraph(features) {
  return tf.tidy(() => {
    const x = tf.reshape(features, [features.shape[0], -1]);
    const xn = tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), 1, true), 1e-24)));
    const a = tf.mul(tf.matMul(xn, xn, false, true), tf.sub(1, tf.eye(x.shape[0])));
    const d = tf.sum(a, 1);
    const s = tf.rsqrt(tf.maximum(d, 1e-12));
    return tf.mul(tf.mul(a, tf.reshape(s, [-1, 1])), tf.reshape(s, [1, -1]));
  });
}

/** Median ms per call over `iterations` timed runs, after two warm-up runs. */
function time(fn, iterations) {
  fn(); // warm-up: kernel set-up, allocation
  fn();
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const rows = [];
for (const backend of backends) {
  await tf.setBackend(backend);
  await tf.ready();
  const iterations = Number(process.env.BENCH_ITERS ?? (backend === 'cpu' ? 3 : 15));
  const student = tf.randomUniform([batch, dim], 0, 1, 'float32', 1);
  const teacherFeatures = tf.randomUniform([batch, 2 * dim], 0, 1, 'float32', 2);
  const teacher = similarityGraph(teacherFeatures);
  const variants = [
    ['geokd cosine (default)', (x) => similarityGraph(x, { checkFinite: false })],
    ['geokd cosine + finite check', (x) => similarityGraph(x)],
    ['geokd dot', (x) => similarityGraph(x, { kernel: 'dot', checkFinite: false })],
    ['geokd gaussian', (x) => similarityGraph(x, { kernel: 'gaussian', checkFinite: false })],
    ['stock cosine (transposed matMul)', stockCosineGraph],
  ];
  for (const [name, graph] of variants) {
    const forward = time(() => {
      const g = graph(student);
      g.dataSync();
      g.dispose();
    }, iterations);
    const backward = time(() => {
      const gradient = tf.grad((x) => tf.sum(tf.squaredDifference(graph(x), teacher)))(student);
      gradient.dataSync();
      gradient.dispose();
    }, iterations);
    rows.push({ backend, variant: name, forward, backward });
    console.error(`${backend} ${name}: ${forward.toFixed(1)} / ${backward.toFixed(1)} ms`);
  }
  tf.dispose([student, teacherFeatures, teacher]);
}

console.log(`\nsimilarityGraph, B = ${batch}, D = ${dim} (ms per call, median of warm runs)\n`);
console.log('| backend | variant | forward (ms) | forward + backward (ms) |');
console.log('|---|---|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.backend} | ${r.variant} | ${r.forward.toFixed(1)} | ${r.backward.toFixed(1)} |`,
  );
}
