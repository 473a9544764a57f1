/**
 * SIGKILL during training and during checkpoint writes: a child process trains a tiny model
 * with a checkpoint after every epoch and is killed at chosen and at pseudo-random moments, then
 * started again with `resume: true` until it finishes; its final weights must equal, bit for
 * bit, those of an uninterrupted run. The child is this source tree bundled by esbuild (tsup's
 * own copy, packages left external), so no build of this package is needed.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
// tfjs-core's gradients (an application imports @tensorflow/tfjs for them; that is much
// slower to load): the file is bundled into the child, and registers into tfjs's global
// registry, which the external tfjs-core shares.
const requireHere = createRequire(import.meta.url);
const GRADIENTS_FILE = path.join(
  path.dirname(requireHere.resolve('@tensorflow/tfjs-core/package.json')),
  'dist',
  'register_all_gradients.js',
);
const CHILD_SOURCE = `
import GRADIENTS;
import '@tensorflow/tfjs-backend-cpu';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { syntheticDataset } from '@geokd/datasets';
import { smallCnn } from '@geokd/models';
import { fileCheckpointStore } from './file-checkpoint-store';
import { trainTeacher } from './train-teacher';

const [directory, out] = process.argv.slice(2);
await tf.setBackend('cpu');
const shape: [number, number, number] = [6, 6, 1];
const all = syntheticDataset({ count: 72, numClasses: 3, shape, seed: 1 });
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const model = smallCnn({ channels: [4], numClasses: 3, inputShape: shape, seed: 2 });
await trainTeacher({
  model,
  data: { train: all.subset(range(0, 48)), test: all.subset(range(48, 72)) },
  batchSize: 8,
  epochs: 6,
  seed: 3,
  optimizer: { type: 'sgd', learningRate: 0.05 },
  schedule: { type: 'cosine' },
  checkpointDir: directory,
  // Passed, not loaded on demand: the on-demand import resolves beside the trainer's own module,
  // which this bundle is not.
  checkpointStore: fileCheckpointStore,
  resume: true,
  onEvent: (event) => {
    if (event.type === 'epoch-end' || event.type === 'checkpoint') {
      process.stdout.write(event.type + ' ' + event.epoch + '\\n');
    }
  },
});
const bits = model.parameters.map((p) => [p.name, Array.from(new Uint32Array(Float32Array.from(p.variable.dataSync()).buffer))]);
fs.writeFileSync(out, JSON.stringify(bits));
`;

/** Where the child is killed: after it reports `event`, plus `delayMs`. */
interface KillPoint {
  event: string;
  delayMs: number;
}

describe('SIGKILL during training and checkpoint writes', () => {
  let work: string;
  let script: string;
  beforeAll(async () => {
    // Inside the package, so that the child resolves @tensorflow/* and @geokd/* from here.
    work = fs.mkdtempSync(path.join(packageDir, 'node_modules', '.kill-resume-'));
    const require = createRequire(requireHere.resolve('tsup'));
    const esbuild = require('esbuild') as {
      build: (options: Record<string, unknown>) => Promise<unknown>;
    };
    script = path.join(work, 'child.mjs');
    await esbuild.build({
      stdin: {
        contents: CHILD_SOURCE.replace(
          'import GRADIENTS;',
          `import ${JSON.stringify(GRADIENTS_FILE)};`,
        ),
        resolveDir: path.join(packageDir, 'src'),
        loader: 'ts',
      },
      bundle: true,
      external: ['@tensorflow/*', '@geokd/*'],
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
    });
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  /** Runs the child once; kills it at `kill` when given. Resolves with how it ended. */
  function run(
    directory: string,
    out: string,
    kill?: KillPoint,
  ): Promise<{ killed: boolean; code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [script, directory, out], {
        cwd: packageDir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      let killed = false;
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (kill !== undefined && !killed && output.split('\n').includes(kill.event)) {
          killed = true;
          setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk;
      });
      child.on('close', (code, signal) => resolve({ killed: signal === 'SIGKILL', code, output }));
    });
  }

  it('resumes bit-identically after kills at epoch ends, inside checkpoint writes and mid-epoch', async () => {
    const reference = path.join(work, 'reference');
    const referenceOut = path.join(work, 'reference.json');
    const plain = await run(reference, referenceOut);
    expect(plain.code, plain.output).toBe(0);

    const directory = path.join(work, 'interrupted');
    const out = path.join(work, 'interrupted.json');
    // Right as an epoch ends (the checkpoint is being written), just after a checkpoint, and a
    // few milliseconds into the next epoch; the delays vary the exact moment from run to run.
    const kills: KillPoint[] = [
      { event: 'epoch-end 1', delayMs: 0 },
      { event: 'checkpoint 3', delayMs: 0 },
      { event: 'checkpoint 4', delayMs: 7 },
      { event: 'epoch-end 5', delayMs: 3 },
    ];
    let killedRuns = 0;
    for (const kill of kills) {
      const result = await run(directory, out, kill);
      if (result.killed) killedRuns += 1;
      else expect(result.code, result.output).toBe(0);
    }
    // Every kill point lies before the end of training, so most runs were really killed.
    expect(killedRuns).toBeGreaterThanOrEqual(2);
    if (!fs.existsSync(out)) {
      const last = await run(directory, out);
      expect(last.code, last.output).toBe(0);
    }
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(
      JSON.parse(fs.readFileSync(referenceOut, 'utf8')),
    );
  }, 120_000);
});
