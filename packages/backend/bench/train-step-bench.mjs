// Benchmark: ms per WRN-16-1 training step (forward + backward + SGD-momentum update) on wasm
// (stock + only the missing Conv2DBackpropFilter, then all @geokd/backend kernels), cpu, and
// PyTorch CPU (2 threads) when available. Run: pnpm --filter @geokd/backend bench [-- flags]
//   --batches=64,128   batch sizes          --steps=5   timed steps per case (after 2 warm-up)
//   --skip-cpu         skip the cpu backend --cpu-128    also time cpu at batch 128
//   --profile          print the 12 most expensive kernels of one optimised step
//   --threads=N        threads of the multi-threaded wasm rows (default: available cores, max 8)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { availableParallelism } from 'node:os';
import {
  conv2dBackpropFilterConfig,
  createThreadedWasmBackend,
  registerWasmTrainingKernels,
} from '../dist/index.js';
import { createTrainStep, createWrn161, disposeNet } from './wrn-16-1.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const batches = (args.batches ?? '64,128').split(',').map(Number);
const steps = Number(args.steps ?? 5);
const threads = Number(args.threads ?? Math.min(availableParallelism(), 8));

function data(batch) {
  const x = tf.randomUniform([batch, 32, 32, 3], 0, 1, 'float32', 42);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 43), 10);
  return { x, labels };
}

async function timeSteps(backend, batch, n, warmup, label = backend) {
  await tf.setBackend(backend);
  await tf.ready();
  const net = createWrn161(1);
  const step = createTrainStep(net);
  const { x, labels } = data(batch);
  for (let i = 0; i < warmup; i++) step(x, labels);
  const start = performance.now();
  for (let i = 0; i < n; i++) step(x, labels);
  const ms = (performance.now() - start) / n;
  if (args.profile && backend === 'wasm') {
    const prof = await tf.profile(() => {
      step(x, labels);
    });
    const byKernel = new Map();
    for (const k of prof.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + k.kernelTimeMs);
    const top = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 12);
    console.log(`  profile (batch ${batch}): ${top.map(([k, t]) => `${k} ${t.toFixed(0)}ms`).join(', ')}`);
  }
  tf.dispose([x, labels]);
  disposeNet(net);
  console.log(`  measured: ${label} batch ${batch}: ${ms.toFixed(0)} ms/step`);
  return ms;
}

function torchTimes() {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const script = join(dirname(fileURLToPath(import.meta.url)), 'wrn_16_1_torch.py');
  const run = spawnSync('/usr/bin/python3', [script, batches.join(','), String(steps)], {
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    console.log(`PyTorch bench failed: ${run.stderr.trim().split('\n').pop()}`);
    return null;
  }
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

const rows = [];
const torch = torchTimes();
// Stock wasm + only the missing kernel.
tf.registerKernel(conv2dBackpropFilterConfig);
for (const b of batches) rows.push(['wasm stock + filter kernel', b, await timeSteps('wasm', b, steps, 2)]);
tf.unregisterKernel(conv2dBackpropFilterConfig.kernelName, 'wasm');
registerWasmTrainingKernels();
for (const b of batches) rows.push(['wasm @geokd/backend, 1 thread', b, await timeSteps('wasm', b, steps, 2)]);
if (threads > 1) {
  // Swap in tfjs's multi-threaded SIMD build (what initBackend() uses in Node); same kernels.
  tf.removeBackend('wasm');
  const threaded = await createThreadedWasmBackend(threads);
  tf.registerBackend('wasm', () => threaded, 2);
  const label = `wasm @geokd/backend, ${threads} threads`;
  for (const b of batches) rows.push([label, b, await timeSteps('wasm', b, steps, 2, label)]);
}
if (!args['skip-cpu']) {
  for (const b of batches) {
    if (b > 64 && !args['cpu-128']) continue;
    rows.push(['cpu', b, await timeSteps('cpu', b, 1, 0)]);
  }
}
if (torch) for (const b of batches) rows.push(['pytorch cpu (2 threads)', b, torch[String(b)]]);

console.log(`\nWRN-16-1 training step, ${new Date().toISOString().slice(0, 10)}, tfjs ${tf.version_core}`);
console.log('| backend | batch | ms/step | ratio to PyTorch |');
console.log('|---|---|---|---|');
for (const [name, b, ms] of rows) {
  const ref = torch?.[String(b)];
  const ratio = ref ? `${(ms / ref).toFixed(2)}x` : 'n/a';
  console.log(`| ${name} | ${b} | ${ms.toFixed(0)} | ${ratio} |`);
}
