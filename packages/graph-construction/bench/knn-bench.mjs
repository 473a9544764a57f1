// Benchmark of knnMask (not a test): median ms per call of the public knnMask on each backend,
// and of its device path (the one webgpu/webgl take) run on cpu/wasm for reference, with the
// device path's kernel list (tf.profile). Prints one JSON line per measurement.
//
//   pnpm --filter @geokd/graph-construction build
//   flock /tmp/cpu-heavy.lock node packages/graph-construction/bench/knn-bench.mjs
//
// Env: BENCH_DIST (the build to time, default ../dist/index.js: point it at a copy of an older
// build to compare before/after), BENCH_BATCHES (default 128,256), BENCH_K (default 16),
// BENCH_BACKENDS (default cpu,wasm), BENCH_ITERS (default 15), BENCH_DEVICE=1 to also time the
// device path. The device path is reached through the public function: each backend is
// registered again under a name that is not a host backend ("<name>-as-device"), so knnMask
// takes its device path there.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

const dist = process.env.BENCH_DIST
  ? pathToFileURL(process.env.BENCH_DIST).href
  : new URL('../dist/index.js', import.meta.url).href;
const { knnMask, similarityGraph } = await import(dist);
const batches = (process.env.BENCH_BATCHES ?? '128,256').split(',').map(Number);
const k = Number(process.env.BENCH_K ?? 16);
const backends = (process.env.BENCH_BACKENDS ?? 'cpu,wasm').split(',');
const iterations = Number(process.env.BENCH_ITERS ?? 15);
const device = process.env.BENCH_DEVICE === '1';

/** Registers `name`'s factory and kernels again as `<name>-as-device`. */
function registerDeviceAlias(name) {
  const alias = `${name}-as-device`;
  tf.registerBackend(alias, tf.findBackendFactory(name));
  for (const kernel of tf.getKernelsForBackend(name)) {
    tf.registerKernel({ ...kernel, backendName: alias });
  }
  return alias;
}

/** Median ms per call over `iterations` timed runs, after two warm-up runs. */
function time(fn) {
  fn();
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

const targets = backends.flatMap((name) => (device ? [name, registerDeviceAlias(name)] : [name]));
for (const backend of targets) {
  await tf.setBackend(backend);
  await tf.ready();
  for (const batch of batches) {
    const features = tf.randomUniform([batch, 64], -1, 1, 'float32', batch);
    const graph = similarityGraph(features);
    const run = () => knnMask(graph, k).dispose();
    const ms = time(run);
    const profile = await tf.profile(run);
    const kernels = profile.kernels.map((kernel) => kernel.name);
    console.log(
      JSON.stringify({
        backend,
        batch,
        k,
        ms: Number(ms.toFixed(3)),
        kernels: kernels.length,
        dist,
      }),
    );
    if (backend.endsWith('-as-device') && batch === batches[0]) {
      console.log(JSON.stringify({ backend, batch, kernelNames: kernels }));
    }
    tf.dispose([features, graph]);
  }
}
