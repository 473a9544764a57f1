import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from './presets';
import type { BenchResults } from './results-schema';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-bench-e2e-'));

const packageDir = path.resolve(import.meta.dirname, '..');
const cli = path.join(packageDir, 'dist', 'cli.js');

/** Runs the built CLI (`node dist/cli.js`) as a user would, and collects its output. */
function runCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...argv],
      { maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// The end-to-end tests run the CLI as shipped: build it first (tsup, a few seconds).
beforeAll(() => {
  execFileSync('pnpm', ['run', 'build'], { cwd: packageDir, stdio: 'pipe' });
}, 120_000);

function expectCharts(dir: string): void {
  for (const name of ['accuracy', 'learning-curves', 'similarity-graphs']) {
    const svg = fs.readFileSync(path.join(dir, `${name}.svg`), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const png = fs.readFileSync(path.join(dir, `${name}.png`));
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.length).toBeGreaterThan(1000);
  }
}

function expectWellFormedResults(
  results: BenchResults,
  methods: readonly string[],
  seeds: readonly number[],
): void {
  expect(typeof results.preset).toBe('string');
  expect(['wasm', 'cpu', 'tensorflow']).toContain(results.backend);
  expect(results.machine.cores).toBeGreaterThan(0);
  expect(Number.isNaN(Date.parse(results.date))).toBe(false);
  expect(results.teacher.params).toBeGreaterThan(results.student.params);
  expect(results.teacher.accuracy).toBeGreaterThanOrEqual(0);
  expect(results.teacher.accuracy).toBeLessThanOrEqual(1);
  expect(results.runs).toHaveLength(methods.length * seeds.length);
  for (const run of results.runs) {
    expect(methods).toContain(run.method);
    expect(seeds).toContain(run.seed);
    expect(run.accuracy).toBeGreaterThanOrEqual(0);
    expect(run.accuracy).toBeLessThanOrEqual(1);
    expect(run.history.length).toBeGreaterThan(0);
  }
  expect(results.summary.map((row) => row.method)).toEqual([...methods]);
  for (const row of results.summary) {
    expect(row.n).toBe(seeds.length);
    expect(Number.isFinite(row.mean)).toBe(true);
    expect(Number.isFinite(row.std)).toBe(true);
  }
  expect(results.verdict.length).toBeGreaterThan(0);
}

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('geokd-bench end to end', () => {
  it('runs the quick preset and writes a well-formed table, results.json and charts', async () => {
    const out = path.join(scratch, 'quick');
    const cache = path.join(scratch, 'cache');
    const { code, stdout, stderr } = await runCli([
      '--preset',
      'quick',
      '--out',
      out,
      '--cache-dir',
      cache,
    ]);
    expect(stderr).not.toContain('geokd-bench failed');
    expect(code).toBe(0);
    const preset = getPreset('quick');
    const results = JSON.parse(
      fs.readFileSync(path.join(out, 'results.json'), 'utf8'),
    ) as BenchResults;
    expect(results.preset).toBe('quick');
    expectWellFormedResults(results, preset.methods, preset.seeds);
    expect(results.teacher.cached).toBe(false);

    const table = fs.readFileSync(path.join(out, 'table.md'), 'utf8');
    expect(stdout).toContain(table);
    const rows = table.split('\n').filter((line) => line.startsWith('| '));
    expect(rows[1]).toMatch(/^\| teacher \(/);
    for (const [index, method] of preset.methods.entries()) {
      expect(rows[index + 2]).toMatch(
        new RegExp(
          `^\\| ${method} \\| (primary|ablation) \\| [\\d,]+ \\| [\\d,]+ \\| \\d+\\.\\d\\d ± \\d+\\.\\d\\d % \\(n = 2\\) \\| \\d+\\.\\d\\d ± \\d+\\.\\d\\d % \\|`,
        ),
      );
    }
    expect(table).toContain(`Backend: ${results.backend}`);
    expect(table).toContain(`${results.machine.cores} cores`);
    expectCharts(out);
    const graphs = JSON.parse(fs.readFileSync(path.join(out, 'similarity-graphs.json'), 'utf8'));
    const labels = graphs.labels as number[];
    expect(labels).toEqual([...labels].sort((a, b) => a - b));
    const panelLabels = new Set((graphs.panels as { label: string }[]).map((panel) => panel.label));
    expect([...panelLabels]).toEqual([
      'teacher',
      'student, before (seed 1)',
      'baseline, after',
      'gkd-dense, after',
    ]);
    expect(stderr).toMatch(/\[runs 8\/8\]/);
    expect(results.comparisons.map((c) => `${c.method}/${c.reference}`)).toEqual([
      'gkd-dense/baseline',
      'gkd-dense/rkd-distance',
      'gkd-dense/hinton',
    ]);
    expect(table).toMatch(/Verdict: gkd-dense vs baseline: .*(within noise|significantly)/);

    // A second run with the same config and data reuses the cached teacher.
    const again = await runCli([
      '--preset',
      'quick',
      '--methods',
      'baseline',
      '--seeds',
      '1',
      '--out',
      path.join(scratch, 'again'),
      '--cache-dir',
      cache,
    ]);
    expect(again.code).toBe(0);
    const second = JSON.parse(
      fs.readFileSync(path.join(scratch, 'again', 'results.json'), 'utf8'),
    ) as BenchResults;
    expect(second.teacher.cached).toBe(true);
    expect(second.teacher.accuracy).toBe(results.teacher.accuracy);
    // The same seed on the same backend reproduces the student run to the bit.
    const firstBaseline = results.runs.find((run) => run.method === 'baseline' && run.seed === 1)!;
    expect(second.runs[0]!.accuracy).toBe(firstBaseline.accuracy);
    expect(second.runs[0]!.loss).toBe(firstBaseline.loss);
    expect(second.runs[0]!.history).toEqual(firstBaseline.history);
    const seed2 = results.runs.find((run) => run.method === 'baseline' && run.seed === 2)!;
    expect(seed2.history).not.toEqual(firstBaseline.history);
    expect(again.stdout).toContain('reused from the cache');
  });

  it('starts the paper-cifar10 preset on synthetic CIFAR-shaped data and runs its first steps', async () => {
    const out = path.join(scratch, 'paper');
    const { code, stderr } = await runCli([
      '--preset',
      'paper-cifar10',
      '--data',
      'synthetic',
      '--epochs',
      '1',
      '--max-steps',
      '2',
      '--batch-size',
      '16',
      '--train-size',
      '64',
      '--test-size',
      '32',
      '--seeds',
      '1',
      '--methods',
      'baseline,gkd-dense,rkd-distance',
      '--out',
      out,
      '--cache-dir',
      path.join(scratch, 'cache'),
    ]);
    expect(stderr).not.toContain('geokd-bench failed');
    expect(code).toBe(0);
    const results = JSON.parse(
      fs.readFileSync(path.join(out, 'results.json'), 'utf8'),
    ) as BenchResults;
    expect(results.preset).toBe('paper-cifar10');
    expect(results.teacher.model).toBe('wrn-28-1');
    expect(results.student.model).toBe('wrn-28-0.5');
    expect(results.taps).toEqual(['stage1', 'stage2', 'pool']);
    expectWellFormedResults(results, ['baseline', 'gkd-dense', 'rkd-distance'], [1]);
    expectCharts(out);
  });
});

describe('geokd-bench speed', () => {
  it('times every method against the plain student step and the graph construction', async () => {
    const out = path.join(scratch, 'speed');
    const { code, stdout, stderr } = await runCli([
      'speed',
      '--preset',
      'quick',
      '--methods',
      'baseline,hinton,gkd-dense',
      '--steps',
      '1',
      '--widths',
      '16,64',
      '--batch-sizes',
      '8',
      '--no-pytorch',
      '--out',
      out,
    ]);
    expect(stderr).not.toContain('geokd-bench failed');
    expect(code).toBe(0);
    const speed = JSON.parse(fs.readFileSync(path.join(out, 'speed.json'), 'utf8'));
    expect(speed.steps.map((step: { method: string }) => step.method)).toEqual([
      'plain student',
      'hinton',
      'gkd-dense',
    ]);
    expect(speed.steps[0].ratio).toBe(1);
    for (const step of speed.steps) expect(step.ms).toBeGreaterThan(0);
    expect(speed.graphs.map((graph: { width: number }) => graph.width)).toEqual([16, 64]);
    expect(speed.pytorch).toEqual({ available: false, reason: 'skipped (--no-pytorch)' });
    expect(stdout).toContain('| gkd-dense |');
    expect(fs.readFileSync(path.join(out, 'speed.md'), 'utf8')).toContain('| B | D |');
  });
});
