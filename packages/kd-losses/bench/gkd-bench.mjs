// Speed of graph knowledge distillation (not a test): ms per similarityGraph + gkdLoss,
// forward and forward+backward, for B = 128 and D = 16384 (a WRN stage-1 map), on cpu and wasm.
// Usage: pnpm --filter @geokd/kd-losses bench [-- --batch 128 --width 16384 --repeats 5]
import '@tensorflow/tfjs'; // registers the gradients on the shared engine
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { gkdLoss } from '../dist/index.js';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const batch = argument('batch', 128);
const width = argument('width', 16384);
const repeats = argument('repeats', 5);
const teacherWidth = width * 2;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
async function time(body) {
  body(); // warm-up
  const samples = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    body();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

const rows = [];
for (const backend of ['wasm', 'cpu']) {
  await tf.setBackend(backend);
  await tf.ready();
  const student = tf.randomUniform([batch, width], 0, 1, 'float32', 1);
  const teacher = tf.randomUniform([batch, teacherWidth], 0, 1, 'float32', 2);
  const forward = await time(() => gkdLoss([student], [teacher]).dataSync());
  const backward = await time(() => {
    const gradient = tf.grad((x) => gkdLoss([x], [teacher]))(student);
    gradient.dataSync();
    gradient.dispose();
  });
  const knnBackward = await time(() => {
    const gradient = tf.grad((x) => gkdLoss([x], [teacher], { k: 16 }))(student);
    gradient.dataSync();
    gradient.dispose();
  });
  rows.push({ backend, forward, backward, knnBackward });
  tf.dispose([student, teacher]);
}

console.log(
  `gkdLoss, student [${batch}, ${width}], teacher [${batch}, ${teacherWidth}], median of ${repeats}\n`,
);
console.log(
  '| backend | forward (ms) | forward + backward (ms) | forward + backward, k = 16 (ms) |',
);
console.log('|---|---:|---:|---:|');
for (const row of rows) {
  console.log(
    `| ${row.backend} | ${row.forward.toFixed(1)} | ${row.backward.toFixed(1)} | ${row.knnBackward.toFixed(1)} |`,
  );
}
