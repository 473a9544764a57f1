// Dispatching kernels and wasm time of the RKD distance loss (--angle: RKD angle, --sp:
// similarity-preserving; the registry's mean over the bench's three tap pairs) forward and
// forward + backward (not a test).
// "Dispatching" kernels launch GPU work on webgpu: Identity, Reshape and same-dtype Cast do not.
// B = 128; student taps [B,16,16,8], [B,8,8,16], [B,32]; teacher taps twice the channels.
//
//   pnpm --filter @geokd/backend build && pnpm --filter @geokd/kd-losses build
//   node bench/rkd-kernels.mjs [--angle | --sp] [--module path/to/kd-losses.mjs ...] [--repeats 15] [--counts-only] [--names]
//
// With several --module paths the wasm timings are interleaved (A B A B ...) and each module's
// median is printed; the first module is the reference for the relative differences.
import * as tf from '@tensorflow/tfjs-core';
import { loadModules, runLossBench } from './loss-module-bench.mjs';

// --angle: rkdAngleLoss instead; --sp: similarityPreservingLoss (no float64 reference then).
const angle = process.argv.includes('--angle');
const sp = process.argv.includes('--sp');
const run = await loadModules(
  angle ? 'rkdAngleLoss' : sp ? 'similarityPreservingLoss' : 'rkdDistanceLoss',
);

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

await runLossBench({
  run,
  variants: { default: {} },
  forward: meanLoss,
  forwardBackward,
  describeLoss: (inputs) => `float64 ${angle || sp ? '-' : float64Loss(inputs).toPrecision(6)}`,
});
