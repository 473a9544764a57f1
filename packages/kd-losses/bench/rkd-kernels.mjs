// Dispatching kernels and wasm time of the RKD distance loss (--angle: RKD angle, --sp:
// similarity-preserving; the registry's mean over the bench's three tap pairs) forward and
// forward + backward (not a test).
// "Dispatching" kernels launch GPU work on webgpu: Identity, Reshape and same-dtype Cast do not.
// B = 128; student taps [B,16,16,8], [B,8,8,16], [B,32]; teacher taps twice the channels.
//
//   pnpm --filter @geokd/kd-losses build
//   node bench/rkd-kernels.mjs [--angle | --sp] [--module path/to/kd-losses.mjs ...] [--repeats 15] [--counts-only]
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
// --angle: rkdAngleLoss instead; --sp: similarityPreservingLoss (no float64 reference then).
const angle = process.argv.includes('--angle');
const sp = process.argv.includes('--sp');
const lossName = angle ? 'rkdAngleLoss' : sp ? 'similarityPreservingLoss' : 'rkdDistanceLoss';
const losses = [];
for (const path of modules) losses.push((await import(pathToFileURL(path).href))[lossName]);

const B = 128;
const studentShapes = [
  [B, 16, 16, 8],
  [B, 8, 8, 16],
  [B, 32],
];
const teacherShapes = studentShapes.map((s) => [...s.slice(0, -1), s[s.length - 1] * 2]);
const variants = { default: {} };

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

/** The RKD distance loss (mean over the taps) in float64, from the formulas. */
function float64Loss({ students, teachers }) {
  const normalised = (tensor) => {
    const b = tensor.shape[0];
    const values = tensor.dataSync();
    const d = values.length / b;
    const dist = [];
    let sum = 0;
    for (let i = 0; i < b; i++) {
      dist.push([]);
      for (let j = 0; j < b; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += (values[i * d + k] - values[j * d + k]) ** 2;
        const v = i === j ? 0 : Math.sqrt(s);
        dist[i].push(v);
        sum += v;
      }
    }
    const mean = sum / (b * (b - 1));
    return dist.map((row) => row.map((v) => v / mean));
  };
  let total = 0;
  students.forEach((student, layer) => {
    const s = normalised(student);
    const t = normalised(teachers[layer]);
    const b = s.length;
    let sum = 0;
    s.forEach((row, i) =>
      row.forEach((v, j) => {
        const r = Math.abs(v - t[i][j]);
        sum += r < 1 ? 0.5 * r * r : r - 0.5;
      }),
    );
    total += sum / (b * (b - 1));
  });
  return total / students.length;
}

/** The registry's reduction: the mean of the per-tap losses. */
function meanLoss(rkdDistanceLoss, students, teachers, options) {
  return tf.tidy(() =>
    tf.div(
      tf.addN(students.map((s, i) => rkdDistanceLoss(s, teachers[i], options))),
      students.length,
    ),
  );
}

function forwardBackward(rkdDistanceLoss, students, teachers, options) {
  const { value, grads } = tf.valueAndGrads((...xs) =>
    meanLoss(rkdDistanceLoss, xs, teachers, options),
  )(students);
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
for (const [index, rkdDistanceLoss] of losses.entries()) {
  console.log(`\nmodule ${index}: ${modules[index]}`);
  for (const [name, options] of Object.entries(variants)) {
    sameDtypeCasts = 0;
    const forward = await count(() => meanLoss(rkdDistanceLoss, students, teachers, options));
    const forwardCasts = sameDtypeCasts;
    sameDtypeCasts = 0;
    const both = await count(() => forwardBackward(rkdDistanceLoss, students, teachers, options));
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
          `${name}, seed ${seed}, ${signed ? 'signed' : 'non-negative'} student: loss ${referenceValues[0][0].toPrecision(6)} (float64 ${angle || sp ? '-' : float64Loss(inputs).toPrecision(6)}), ${result[0].dataSync()[0].toPrecision(6)}; module ${m} vs 0: max |diff| / max |ref| (loss and each gradient) = ${worst.toExponential(2)} [${perTensor.join(', ')}]`,
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
    const run = (rkdDistanceLoss) => {
      const start = performance.now();
      const out = forwardBackward(rkdDistanceLoss, inputs.students, inputs.teachers, options);
      for (const t of out) t.dataSync();
      tf.dispose(out);
      return performance.now() - start;
    };
    for (const rkdDistanceLoss of losses) run(rkdDistanceLoss); // warm-up
    for (let r = 0; r < repeats; r++) {
      losses.forEach((rkdDistanceLoss, m) => samples[m].push(run(rkdDistanceLoss)));
    }
    const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    console.log(
      `wasm fwd+bwd ${name}, median of ${repeats} interleaved: ${samples.map((s, m) => `module ${m} ${median(s).toFixed(1)} ms`).join(', ')}`,
    );
  }
}
