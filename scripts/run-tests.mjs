#!/usr/bin/env node
// The project's test command (`pnpm test`), used by README and .ci/run alike.
// Runs lint, typecheck and every package's vitest suite through turbo, then the packaging
// check, and prints one closing line `N passed, N failed` with the real totals.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspaceDirs = ['packages', 'apps']
  .flatMap((group) => {
    const dir = path.join(root, group);
    return fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => path.join(dir, name)) : [];
  })
  // The documented examples, run as tests (scripts/run-examples.mjs).
  .concat([path.join(root, 'examples')].filter((dir) => fs.existsSync(dir)));
const reportPath = (dir) => path.join(dir, '.vitest-report.json');
for (const dir of workspaceDirs) fs.rmSync(reportPath(dir), { force: true });

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', FORCE_COLOR: process.env.FORCE_COLOR ?? '0' };
const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;

let passed = 0;
let failed = 0;
let skipped = 0;

// Lint and typecheck count as one check each: they pass or fail as a whole.
for (const task of ['lint', 'typecheck']) {
  const status = run('pnpm', ['exec', 'turbo', 'run', task, '--continue', '--output-logs=errors-only']);
  if (status === 0) passed += 1;
  else {
    failed += 1;
    console.error(`\n${task} failed`);
  }
}

const testStatus = run('pnpm', ['exec', 'turbo', 'run', 'test', '--continue', '--concurrency=2']);
let suitesWithoutReport = 0;
for (const dir of workspaceDirs) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (!pkg.scripts?.test) continue;
  if (!fs.existsSync(reportPath(dir))) {
    // A suite that crashed before writing its report counts as one failure.
    console.error(`no test report from ${pkg.name}: its test run crashed or did not start`);
    suitesWithoutReport += 1;
    continue;
  }
  const report = JSON.parse(fs.readFileSync(reportPath(dir), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  // A test file that fails to load has no tests but fails the suite.
  failed += (report.testResults ?? []).filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length;
}
failed += suitesWithoutReport;
if (testStatus !== 0 && failed === 0) failed += 1;

if (!process.argv.includes('--no-pack')) {
  const packStatus = run('node', ['scripts/pack-check.mjs']);
  if (packStatus === 0) passed += 1;
  else failed += 1;
}

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
