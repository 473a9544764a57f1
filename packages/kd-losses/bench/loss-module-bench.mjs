// Shared by the loss kernel benchmarks (gkd-kernels.mjs, rkd-kernels.mjs): the --module,
// --repeats and --counts-only flags, the bench's three taps, dispatching-kernel counts
// (countDispatchingKernels of @geokd/backend), the relative difference of each module's loss and
// gradients against the first module's, and interleaved wasm timings. Not a test.
import '@tensorflow/tfjs'; // registers the gradients on the shared engine
import '@tensorflow/tfjs-backend-wasm';
import { countDispatchingKernels } from '@geokd/backend';
import * as tf from '@tensorflow/tfjs-core';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The flags, and the export `exportName` of each --module (default: this package's dist). */
export async function loadModules(exportName) {
  const modules = [];
  for (let i = 0; i < process.argv.length; i++) {
    if (process.argv[i] === '--module') modules.push(resolve(process.argv[i + 1]));
  }
  if (modules.length === 0) modules.push(new URL('../dist/index.js', import.meta.url).pathname);
  const repeatsIndex = process.argv.indexOf('--repeats');
  const repeats = repeatsIndex === -1 ? 15 : Number(process.argv[repeatsIndex + 1]);
  const losses = [];
  for (const path of modules) losses.push((await import(pathToFileURL(path).href))[exportName]);
  return {
    modules,
    losses,
    repeats,
    countsOnly: process.argv.includes('--counts-only'),
    names: process.argv.includes('--names'),
  };
}

/** B = 128; student taps [B,16,16,8], [B,8,8,16], [B,32]; teacher taps twice the channels. */
const B = 128;
const studentShapes = [
  [B, 16, 16, 8],
  [B, 8, 8, 16],
  [B, 32],
];
const teacherShapes = studentShapes.map((s) => [...s.slice(0, -1), s[s.length - 1] * 2]);

/** The bench's three taps: signed or post-ReLU student features, post-ReLU teacher features. */
export function makeInputs(seed, signed = true) {
  const students = studentShapes.map((s, i) => {
    const x = tf.randomNormal(s, 0, 1, 'float32', seed + i);
    return signed ? x : tf.relu(x);
  });
  const teachers = teacherShapes.map((s, i) =>
    tf.relu(tf.randomNormal(s, 0, 1, 'float32', seed + 10 + i)),
  );
  return { students, teachers, batch: B };
}

/**
 * Runs the three parts: kernel counts on cpu, differences against module 0 over six seeds
 * (`describeLoss(inputs)` adds e.g. a float64 value to each line), wasm timings.
 * `forward(loss, students, teachers, options)` returns the loss, `forwardBackward(...)` the loss
 * and the students' gradients.
 */
export async function runLossBench({ run, variants, forward, forwardBackward, describeLoss }) {
  const { modules, losses, repeats, countsOnly, names } = run;
  await tf.setBackend('cpu');
  await tf.ready();
  const { students, teachers } = makeInputs(1);
  console.log(
    'Dispatching kernels (cpu backend, countDispatchingKernels; excl. Identity, Reshape, same-dtype Cast)',
  );
  for (const [index, loss] of losses.entries()) {
    console.log(`\nmodule ${index}: ${modules[index]}`);
    for (const [name, options] of Object.entries(variants)) {
      const once = await countDispatchingKernels(() => forward(loss, students, teachers, options));
      const both = await countDispatchingKernels(() =>
        forwardBackward(loss, students, teachers, options),
      );
      console.log(`${name}: forward ${once.total}, forward+backward ${both.total}`);
      if (names) {
        console.log(`  forward ${JSON.stringify(once.byKernel)}`);
        console.log(`  forward+backward ${JSON.stringify(both.byKernel)}`);
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
            const scale = ref.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
            for (let j = 0; j < values.length; j++) {
              tensorWorst = Math.max(tensorWorst, Math.abs(values[j] - ref[j]) / scale);
            }
            perTensor.push(tensorWorst.toExponential(1));
            worst = Math.max(worst, tensorWorst);
          });
          console.log(
            `${name}, seed ${seed}, ${signed ? 'signed' : 'non-negative'} student: loss ${referenceValues[0][0].toPrecision(6)} (${describeLoss(inputs)}), ${result[0].dataSync()[0].toPrecision(6)}; module ${m} vs 0: max |diff| / max |ref| (loss and each gradient) = ${worst.toExponential(2)} [${perTensor.join(', ')}]`,
          );
          tf.dispose(result);
        }
        tf.dispose([...reference, ...inputs.students, ...inputs.teachers]);
      }
    }
  }
  tf.dispose([...students, ...teachers]);

  if (countsOnly) return;
  await tf.setBackend('wasm');
  await tf.ready();
  const inputs = makeInputs(7);
  for (const [name, options] of Object.entries(variants)) {
    const samples = losses.map(() => []);
    const time = (loss) => {
      const start = performance.now();
      const out = forwardBackward(loss, inputs.students, inputs.teachers, options);
      for (const t of out) t.dataSync();
      tf.dispose(out);
      return performance.now() - start;
    };
    for (const loss of losses) time(loss); // warm-up
    for (let r = 0; r < repeats; r++) {
      losses.forEach((loss, m) => samples[m].push(time(loss)));
    }
    const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    console.log(
      `wasm fwd+bwd ${name}, median of ${repeats} interleaved: ${samples.map((s, m) => `module ${m} ${median(s).toFixed(1)} ms`).join(', ')}`,
    );
  }
}
