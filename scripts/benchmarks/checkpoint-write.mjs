// Times `writeCheckpoint` of @geokd/trainer/node for a WRN-16-1 (parameters + one SGD velocity
// slot each, as the trainer writes them) on the wasm backend, interleaving builds A and B.
//   node scripts/benchmarks/checkpoint-write.mjs [A-dist-dir] [B-dist-dir] [rounds]
// Each dist dir holds a built `node.js` of @geokd/trainer (default: packages/trainer/dist for
// both). Works with a synchronous (older) and an asynchronous writeCheckpoint. Prints medians.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const fromTrainer = createRequire(path.join(root, 'packages/trainer/package.json'));
const load = (name) => import(pathToFileURL(fromTrainer.resolve(name)).href);
const tf = await load('@tensorflow/tfjs-core');
const { initBackend } = await load('@geokd/backend');
const { wideResNet } = await load('@geokd/models');

const [a = 'packages/trainer/dist', b = a, roundsText = '15'] = process.argv.slice(2);
const builds = await Promise.all(
  [a, b].map(async (dir) => (await import(pathToFileURL(path.resolve(root, dir, 'node.js')).href)).writeCheckpoint),
);
await initBackend({ prefer: ['wasm'], quiet: true });
const model = wideResNet({ depth: 16, width: 1, seed: 1 });
const tensors = {};
for (const p of model.parameters) {
  tensors[`model/${p.name}`] = p.variable;
  tensors[`optimizer/${p.name}/velocity`] = tf.mul(p.variable, 0.5);
}
const elements = Object.values(tensors).reduce((n, t) => n + t.size, 0);
const contents = {
  configHash: 'x',
  config: {},
  epoch: 0,
  globalStep: 0,
  randomState: [1, 2, 3, 4],
  optimizer: { name: 'sgd', step: 0 },
  history: [],
  elapsedMs: 0,
};
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-bench-'));
const times = [[], []];
for (let round = -2; round < Number(roundsText); round++) {
  for (const [i, write] of builds.entries()) {
    const start = performance.now();
    await write(path.join(scratch, String(i)), contents, tensors);
    if (round >= 0) times[i].push(performance.now() - start);
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(`backend ${tf.getBackend()}, ${Object.keys(tensors).length} tensors, ${elements} values (${(elements * 4 / 1e6).toFixed(2)} MB)`);
for (const [i, dir] of [a, b].entries()) {
  console.log(`${i === 0 ? 'A' : 'B'} ${dir}: median ${median(times[i]).toFixed(1)} ms, min ${Math.min(...times[i]).toFixed(1)}, max ${Math.max(...times[i]).toFixed(1)} (n=${times[i].length})`);
}
fs.rmSync(scratch, { recursive: true, force: true });
