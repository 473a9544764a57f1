// GPU benchmark: ms per training step on tfjs webgpu, stock kernels vs @geokd/backend's
// (registerWebGpuTrainingKernels), against the same nets in PyTorch (CUDA when there is one),
// all in one run. Steps: WRN-16-1 (batch 64) and the GKD step (teacher WRN-28-1 forward +
// student WRN-28-0.5 forward/backward + CE + 25 × mean of three graph losses, batch 128).
//   pnpm --filter @geokd/backend bench:webgpu [-- flags]
//   --smoke            tiny sizes (batch 2, WRN-10 nets, 1 timed step), software adapter allowed:
//                      checks the script end to end (e.g. on lavapipe); its times mean nothing
//   --wrn-batch=64 --gkd-batch=128 --steps=10 --warmup=3
//   --allow-software   accept a software adapter (lavapipe, SwiftShader)
//   --python=python3   the PyTorch to compare with ('' skips it)
//   --profile          print the 8 most expensive kernels of one step per case (needs
//                      GEOKD_DAWN_FLAGS=enable-dawn-features=allow_unsafe_apis for GPU times)
// On the GPU machine, run the bundle from bench/make-device-kit.sh (see the README).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import {
  initBackend,
  registerWebGpuTrainingKernels,
  unregisterWebGpuTrainingKernels,
} from '../dist/index.js';
import { createGkdStep } from './gkd-step.mjs';
import { createAsyncTrainStep, createWrn, disposeNet } from './wrn-16-1.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const smoke = Boolean(args.smoke);
const wrnBatch = Number(args['wrn-batch'] ?? (smoke ? 2 : 64));
const gkdBatch = Number(args['gkd-batch'] ?? (smoke ? 2 : 128));
const steps = Number(args.steps ?? (smoke ? 1 : 10));
const warmup = Number(args.warmup ?? (smoke ? 1 : 3));
// WRN-10 (one block per stage) keeps the smoke run short on a software adapter.
const nets = smoke
  ? { wrn: [10, 1], teacher: [10, 1], student: [10, 0.5] }
  : { wrn: [16, 1], teacher: [28, 1], student: [28, 0.5] };
const here = dirname(fileURLToPath(import.meta.url));
const python = args.python ?? 'python3';

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function batchData(batch) {
  const x = tf.randomUniform([batch, 32, 32, 3], 0, 1, 'float32', 42);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 43), 10);
  return { x, labels };
}

async function profileTop(run) {
  const prof = await tf.profile(run);
  const byKernel = new Map();
  for (const k of prof.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms);
  }
  return [...byKernel]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([k, t]) => `${k} ${t.toFixed(1)}ms`)
    .join(', ');
}

/** Times `steps` steps after `warmup`; each step ends with the loss read (await data()). */
async function timeStep(label, make, batch) {
  const { step, dispose } = make();
  const { x, labels } = batchData(batch);
  let loss = Number.NaN;
  for (let i = 0; i < warmup; i++) loss = await step(x, labels);
  const times = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    loss = await step(x, labels);
    times.push(performance.now() - start);
  }
  if (!Number.isFinite(loss)) throw new Error(`${label}: the loss is ${loss}`);
  if (args.profile) console.log(`  profile ${label}: ${await profileTop(() => step(x, labels))}`);
  tf.dispose([x, labels]);
  dispose();
  const ms = median(times);
  console.log(
    `  measured: ${label} batch ${batch}: ${ms.toFixed(1)} ms/step (loss ${loss.toFixed(3)})`,
  );
  return ms;
}

const makeWrn = () => {
  const net = createWrn(nets.wrn[0], nets.wrn[1], 1);
  const step = createAsyncTrainStep(net);
  return { step, dispose: () => (step.dispose?.(), disposeNet(net)) };
};
const makeGkd = () =>
  createGkdStep({
    teacherDepth: nets.teacher[0],
    teacherWiden: nets.teacher[1],
    studentDepth: nets.student[0],
    studentWiden: nets.student[1],
  });

function torchTimes() {
  if (python === '') return null;
  const script = join(here, 'webgpu_step_torch.py');
  if (!existsSync(script)) return null;
  const run = spawnSync(
    python,
    [script, JSON.stringify({ nets, wrnBatch, gkdBatch, steps, warmup })],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) {
    console.log(
      `PyTorch bench skipped: ${(run.stderr || String(run.error)).trim().split('\n').pop()}`,
    );
    return null;
  }
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

const info = await initBackend({
  prefer: ['webgpu'],
  allowSoftwareAdapter: smoke || Boolean(args['allow-software']),
});
const adapter = info.adapter;
const names = {
  wrn: `WRN-${nets.wrn[0]}-${nets.wrn[1]} step`,
  gkd: `GKD step (WRN-${nets.teacher[0]}-${nets.teacher[1]} → WRN-${nets.student[0]}-${nets.student[1]})`,
};
const rows = {};
for (const mode of ['stock', 'ours']) {
  if (mode === 'stock') unregisterWebGpuTrainingKernels();
  else registerWebGpuTrainingKernels();
  rows[`wrn-${mode}`] = await timeStep(`${names.wrn}, webgpu ${mode}`, makeWrn, wrnBatch);
  rows[`gkd-${mode}`] = await timeStep(`${names.gkd}, webgpu ${mode}`, makeGkd, gkdBatch);
}
const torch = torchTimes();
if (torch)
  console.log(`  measured: PyTorch ${torch.torch} on ${torch.device}: ${JSON.stringify(torch)}`);

console.log(
  `\nms per step (median of ${steps} after ${warmup} warm-up), ${new Date().toISOString().slice(0, 10)}, tfjs ${tf.version_core}, adapter ${adapter?.vendor} ${adapter?.description}${adapter?.software ? ' (software)' : ''}${smoke ? ', SMOKE sizes' : ''}`,
);
console.log(
  '| step | batch | webgpu stock | webgpu @geokd/backend | PyTorch | stock / PyTorch | ours / PyTorch |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [key, batch] of [
  ['wrn', wrnBatch],
  ['gkd', gkdBatch],
]) {
  const ref = torch?.[key];
  const ratio = (ms) => (ref ? `${(ms / ref).toFixed(1)}×` : 'n/a');
  const stock = rows[`${key}-stock`];
  const ours = rows[`${key}-ours`];
  console.log(
    `| ${names[key]} | ${batch} | ${stock.toFixed(1)} | ${ours.toFixed(1)} | ${ref ? `${ref.toFixed(1)} (${torch.device})` : 'n/a'} | ${ratio(stock)} | ${ratio(ours)} |`,
  );
}
// Exit now rather than wait for the GPU device and thread pools to wind down.
process.exit(0);
