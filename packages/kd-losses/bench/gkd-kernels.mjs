// Dispatching kernels and wasm time of gkdLoss for the bench's three taps (not a test).
// "Dispatching" kernels launch GPU work on webgpu: Identity, Reshape and same-dtype Cast do not.
// B = 128; student taps [B,16,16,8], [B,8,8,16], [B,32]; teacher taps twice the channels.
//
//   pnpm --filter @geokd/kd-losses build
//   node bench/gkd-kernels.mjs [--module path/to/kd-losses.mjs ...] [--repeats 15] [--counts-only]
//
// With several --module paths the wasm timings are interleaved (A B A B ...) and each module's
// median is printed; the first module is the reference for the relative differences.
import '@tensorflow/tfjs'; // registers the gradients on the shared engine
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const modules = [];
for (let i = 0; i < process.argv.length; i++) {
  if (process.argv[i] === '--module') modules.push(resolve(process.argv[i + 1]));
}
if (modules.length === 0) modules.push(new URL('../dist/index.js', import.meta.url).pathname);
const repeatsIndex = process.argv.indexOf('--repeats');
const repeats = repeatsIndex === -1 ? 15 : Number(process.argv[repeatsIndex + 1]);
const countsOnly = process.argv.includes('--counts-only');
const losses = [];
for (const path of modules) losses.push((await import(pathToFileURL(path).href)).gkdLoss);

const B = 128;
const studentShapes = [
  [B, 16, 16, 8],
  [B, 8, 8, 16],
  [B, 32],
];
const teacherShapes = studentShapes.map((s) => [...s.slice(0, -1), s[s.length - 1] * 2]);
const variants = {
  default: {},
  'gkd-dense (k = B, power 1)': { k: B, power: 1 },
};

function makeInputs(seed, signed = true) {
  const students = studentShapes.map((s, i) => {
    const x = tf.randomNormal(s, 0, 1, 'float32', seed + i);
    return signed ? x : tf.relu(x);
  });
  const teachers = teacherShapes.map((s, i) =>
    tf.relu(tf.randomNormal(s, 0, 1, 'float32', seed + 10 + i)),
  );
  return { students, teachers };
}

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

function isDispatching(kernel) {
  // Cast is counted here; the same-dtype ones are subtracted below (counted at runKernel).
  // customGrad records its forward as an 'unnamed scope' entry around the kernels it runs.
  return !['Identity', 'Reshape', 'unnamed scope'].includes(kernel.name);
}

async function count(body) {
  const info = await tf.profile(() => {
    const out = body();
    return out;
  });
  const dispatching = info.kernels.filter(isDispatching);
  const names = {};
  for (const k of dispatching) names[k.name] = (names[k.name] ?? 0) + 1;
  return { total: info.kernels.length, dispatching: dispatching.length, names };
}

// Same-dtype casts: tf.profile does not record dtypes, so find them by instrumenting tf.cast.
let sameDtypeCasts = 0;
const originalCast = tf.engine().runKernel.bind(tf.engine());
tf.engine().runKernel = (name, inputs, attrs) => {
  if (name === 'Cast' && inputs.x?.dtype === attrs?.dtype) sameDtypeCasts++;
  return originalCast(name, inputs, attrs);
};

await tf.setBackend('cpu');
await tf.ready();
const { students, teachers } = makeInputs(1);
console.log(
  'Dispatching kernels (cpu backend, tf.profile; excl. Identity, Reshape, same-dtype Cast)',
);
for (const [index, gkdLoss] of losses.entries()) {
  console.log(`\nmodule ${index}: ${modules[index]}`);
  for (const [name, options] of Object.entries(variants)) {
    sameDtypeCasts = 0;
    const forward = await count(() => gkdLoss(students, teachers, options));
    const forwardCasts = sameDtypeCasts;
    sameDtypeCasts = 0;
    const both = await count(() => forwardBackward(gkdLoss, students, teachers, options));
    const bothCasts = sameDtypeCasts;
    console.log(
      `${name}: forward ${forward.dispatching - forwardCasts} (all ${forward.total}), forward+backward ${both.dispatching - bothCasts} (all ${both.total})`,
    );
    if (process.argv.includes('--names')) {
      console.log(`  same-dtype casts: forward ${forwardCasts}, forward+backward ${bothCasts}`);
      console.log(`  forward ${JSON.stringify(forward.names)}`);
      console.log(`  forward+backward ${JSON.stringify(both.names)}`);
    }
  }
}

// Relative difference of each module's loss and gradients against the first module's.
if (losses.length > 1) {
  for (const [name, options] of Object.entries(variants)) {
    for (const [seed, signed] of [
      [1, true],
      [2, true],
      [3, true],
      [4, false],
      [5, false],
      [6, false],
    ]) {
      const inputs = makeInputs(seed * 100, signed);
      const reference = forwardBackward(losses[0], inputs.students, inputs.teachers, options);
      const referenceValues = reference.map((t) => Array.from(t.dataSync()));
      for (let m = 1; m < losses.length; m++) {
        const result = forwardBackward(losses[m], inputs.students, inputs.teachers, options);
        let worst = 0;
        const perTensor = [];
        result.forEach((t, i) => {
          let tensorWorst = 0;
          const values = t.dataSync();
          const ref = referenceValues[i];
          const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          for (let j = 0; j < values.length; j++) {
            tensorWorst = Math.max(tensorWorst, Math.abs(values[j] - ref[j]) / scale);
          }
          perTensor.push(tensorWorst.toExponential(1));
          worst = Math.max(worst, tensorWorst);
        });
        console.log(
          `${name}, seed ${seed}, ${signed ? 'signed' : 'non-negative'} student: loss ${referenceValues[0][0].toPrecision(6)} (float64 ${float64Loss(inputs).toPrecision(6)}), ${result[0].dataSync()[0].toPrecision(6)}; module ${m} vs 0: max |diff| / max |ref| (loss and each gradient) = ${worst.toExponential(2)} [${perTensor.join(', ')}]`,
        );
        tf.dispose(result);
      }
      tf.dispose([...reference, ...inputs.students, ...inputs.teachers]);
    }
  }
}
tf.dispose([...students, ...teachers]);

if (!countsOnly) {
  await tf.setBackend('wasm');
  await tf.ready();
  const inputs = makeInputs(7);
  for (const [name, options] of Object.entries(variants)) {
    const samples = losses.map(() => []);
    const run = (gkdLoss) => {
      const start = performance.now();
      const out = forwardBackward(gkdLoss, inputs.students, inputs.teachers, options);
      for (const t of out) t.dataSync();
      tf.dispose(out);
      return performance.now() - start;
    };
    for (const gkdLoss of losses) run(gkdLoss); // warm-up
    for (let r = 0; r < repeats; r++) {
      losses.forEach((gkdLoss, m) => samples[m].push(run(gkdLoss)));
    }
    const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    console.log(
      `wasm fwd+bwd ${name}, median of ${repeats} interleaved: ${samples.map((s, m) => `module ${m} ${median(s).toFixed(1)} ms`).join(', ')}`,
    );
  }
}
