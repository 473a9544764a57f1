// Dispatching kernels and wasm time of hintonKdLoss on [B, 10] logits (not a test).
// "Dispatching" kernels launch GPU work on webgpu: Identity, Reshape and same-dtype Cast do not
// (countDispatchingKernels of @geokd/backend). Forward, and forward + backward (gradient w.r.t.
// the student logits).
//
//   pnpm --filter @geokd/backend build && pnpm --filter @geokd/kd-losses build
//   node bench/hinton-kernels.mjs [--module path/to/kd-losses.mjs ...] [--repeats 15] [--batch 8]
//
// With several --module paths the wasm timings are interleaved (A B A B ...) and each module's
// median is printed; the first module is the reference for the relative differences.
import '@tensorflow/tfjs'; // registers the gradients on the shared engine
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { countDispatchingKernels } from '@geokd/backend';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const modules = [];
for (let i = 0; i < process.argv.length; i++) {
  if (process.argv[i] === '--module') modules.push(resolve(process.argv[i + 1]));
}
if (modules.length === 0) modules.push(new URL('../dist/index.js', import.meta.url).pathname);
const option = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const repeats = option('--repeats', 15);
const B = option('--batch', 8);
const C = 10;
const losses = [];
for (const path of modules) losses.push((await import(pathToFileURL(path).href)).hintonKdLoss);

function forwardBackward(loss, student, teacher, options) {
  const { value, grad } = tf.valueAndGrad((s) => loss(s, teacher, options))(student);
  return [value, grad];
}

await tf.setBackend('cpu');
await tf.ready();
const student = tf.randomNormal([B, C], 0, 3, 'float32', 1);
const teacher = tf.randomNormal([B, C], 0, 5, 'float32', 2);
console.log(`hintonKdLoss [${B}, ${C}], dispatching kernels (cpu, countDispatchingKernels)`);
for (const [index, loss] of losses.entries()) {
  const forward = await countDispatchingKernels(() => loss(student, teacher));
  const both = await countDispatchingKernels(() => forwardBackward(loss, student, teacher, {}));
  console.log(
    `module ${index} (${modules[index]}): forward ${forward.total}, forward+backward ${both.total}`,
  );
  if (process.argv.includes('--names')) console.log(JSON.stringify(both.byKernel));
}

// Relative differences of each module's loss and gradient against the first module's.
if (losses.length > 1) {
  const worst = losses.map(() => ({ value: 0, gradient: 0 }));
  for (let seed = 0; seed < 20; seed++) {
    for (const temperature of [1, 2, 4, 8, 20, 1e3]) {
      for (const spread of [0.1, 1, 3, 10]) {
        const s = tf.randomNormal([B, C], 0, spread, 'float32', 100 + seed);
        const t = tf.randomNormal([B, C], 0, spread * 1.5, 'float32', 200 + seed);
        const [v0, g0] = forwardBackward(losses[0], s, t, { temperature }).map((x) =>
          Array.from(x.dataSync()),
        );
        for (let m = 1; m < losses.length; m++) {
          const out = forwardBackward(losses[m], s, t, { temperature });
          const [v, g] = out.map((x) => Array.from(x.dataSync()));
          worst[m].value = Math.max(worst[m].value, Math.abs(v[0] - v0[0]) / Math.abs(v0[0]));
          const scale = g0.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
          for (let i = 0; i < g.length; i++) {
            worst[m].gradient = Math.max(worst[m].gradient, Math.abs(g[i] - g0[i]) / scale);
          }
          tf.dispose(out);
        }
        tf.dispose([s, t]);
      }
    }
  }
  for (let m = 1; m < losses.length; m++) {
    console.log(
      `module ${m} vs 0 (T in 1…1e3, logit sd 0.1…15, 480 cases): max relative value difference ${worst[m].value.toExponential(2)}, max gradient difference / max |gradient| ${worst[m].gradient.toExponential(2)}`,
    );
  }
}
tf.dispose([student, teacher]);

if (repeats > 0) {
  await tf.setBackend('wasm');
  await tf.ready();
  const s = tf.randomNormal([B, C], 0, 3, 'float32', 7);
  const t = tf.randomNormal([B, C], 0, 5, 'float32', 8);
  const samples = losses.map(() => []);
  const run = (loss) => {
    const start = performance.now();
    const out = forwardBackward(loss, s, t, {});
    for (const x of out) x.dataSync();
    tf.dispose(out);
    return performance.now() - start;
  };
  for (const loss of losses) for (let i = 0; i < 5; i++) run(loss); // warm-up
  for (let r = 0; r < repeats; r++) losses.forEach((loss, m) => samples[m].push(run(loss)));
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log(
    `wasm fwd+bwd, median of ${repeats} interleaved: ${samples.map((x, m) => `module ${m} ${median(x).toFixed(2)} ms`).join(', ')}`,
  );
}
