#!/usr/bin/env node
// Packaging check: every publishable package must install from its tarball alone (with its
// @geokd dependencies as tarballs too, as the registry would serve them) next to
// @tensorflow/tfjs, and load through both `import` and `require` with the same exports.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = path.join(root, 'packages');
const packages = fs
  .readdirSync(packagesDir)
  .map((dir) => path.join(packagesDir, dir))
  .filter((dir) => fs.existsSync(path.join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);

const sh = (command, args, cwd) =>
  execFileSync(command, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });

console.log(`pack-check: building ${packages.length} packages`);
sh('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'], root);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-pack-'));
const failures = [];
try {
  const tarballs = [];
  for (const { dir, manifest } of packages) {
    const output = sh('pnpm', ['pack', '--pack-destination', work], dir).trim().split('\n');
    const tarball = output.at(-1);
    tarballs.push(path.isAbsolute(tarball) ? tarball : path.join(work, path.basename(tarball)));
    console.log(`pack-check: packed ${manifest.name}`);
  }
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'pack-check-app', private: true }));
  sh('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error',
    '@tensorflow/tfjs@4.22.0', ...tarballs], app);

  for (const { manifest } of packages) {
    const name = manifest.name;
    const esm = `import * as m from '${name}'; console.log(JSON.stringify(Object.keys(m).sort()));`;
    const cjs = `console.log(JSON.stringify(Object.keys(require('${name}')).sort()));`;
    try {
      const esmKeys = JSON.parse(sh('node', ['--input-type=module', '-e', esm], app));
      const cjsKeys = JSON.parse(sh('node', ['-e', cjs], app));
      if (esmKeys.length === 0) throw new Error('the ESM build exports nothing');
      if (JSON.stringify(esmKeys) !== JSON.stringify(cjsKeys)) {
        throw new Error(`ESM and CJS export different names: ${esmKeys} vs ${cjsKeys}`);
      }
      for (const types of ['index.d.ts', 'index.d.cts']) {
        if (!fs.existsSync(path.join(app, 'node_modules', name, 'dist', types))) {
          throw new Error(`dist/${types} is missing from the tarball`);
        }
      }
      console.log(`pack-check: ${name} ok (import and require, ${esmKeys.length} exports)`);
    } catch (error) {
      failures.push(name);
      console.error(`pack-check: ${name} FAILED: ${error.message}`);
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`pack-check: ${failures.length} package(s) failed: ${failures.join(', ')}`);
  process.exit(1);
}
console.log('pack-check: all packages install and load from their tarballs');
