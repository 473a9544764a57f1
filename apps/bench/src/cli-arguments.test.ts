import { describe, expect, it } from 'vitest';
import { main, USAGE_EXIT_CODE } from './program';

async function runCli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describe('geokd-bench bad arguments', () => {
  it('rejects an unknown method with exit code 2, the closest name and the usage', async () => {
    const { code, stderr } = await runCli(['--preset', 'quick', '--methods', 'baseline,gkd-knm']);
    expect(code).toBe(USAGE_EXIT_CODE);
    expect(stderr).toContain("Unknown method 'gkd-knm'");
    expect(stderr).toContain("Did you mean 'gkd-knn'?");
    expect(stderr).toContain('Usage: geokd-bench run');
  });

  it('rejects zero epochs with exit code 2 and names the option', async () => {
    const { code, stderr } = await runCli(['run', '--epochs', '0']);
    expect(code).toBe(USAGE_EXIT_CODE);
    expect(stderr).toContain('--epochs must be >= 1, received 0');
    expect(stderr).toContain('Usage:');
  });

  it('rejects non-numeric epochs with exit code 2', async () => {
    const { code, stderr } = await runCli(['--epochs', 'many']);
    expect(code).toBe(USAGE_EXIT_CODE);
    expect(stderr).toContain("--epochs must be an integer, received 'many'");
  });

  it('rejects zero epochs coming from a config file with exit code 2', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-bench-config-'));
    const file = path.join(dir, 'spec.json');
    fs.writeFileSync(file, JSON.stringify({ studentTraining: { epochs: -1 } }));
    const { code, stderr } = await runCli(['--preset', 'quick', '--config', file]);
    expect(code).toBe(USAGE_EXIT_CODE);
    expect(stderr).toContain(
      'geokd-bench: studentTraining.epochs must be an integer >= 1, received -1',
    );
    fs.rmSync(dir, { recursive: true });
  });

  it('asks for --data-dir when the paper-cifar10 preset runs on files without one', async () => {
    const { code, stderr } = await runCli(['--preset', 'paper-cifar10']);
    expect(code).toBe(USAGE_EXIT_CODE);
    expect(stderr).toContain(
      'geokd-bench: --data-dir must be a folder holding cifar-10-binary.tar.gz',
    );
    expect(stderr).toContain('received nothing');
    expect(stderr).toContain('Usage: geokd-bench run');
  });

  it('rejects a data dir that does not exist with exit code 2', async () => {
    const { code, stderr } = await runCli([
      '--preset',
      'paper-cifar10',
      '--data-dir',
      '/nonexistent/cifar',
    ]);
    expect(code).toBe(USAGE_EXIT_CODE);
    expect(stderr).toContain(
      "--data-dir must be an existing folder, received '/nonexistent/cifar' (not found)",
    );
  });

  it('rejects an unknown preset and an unknown backend with exit code 2 and the choices', async () => {
    const preset = await runCli(['--preset', 'defualt']);
    expect(preset.code).toBe(USAGE_EXIT_CODE);
    expect(preset.stderr).toContain(
      "argument 'defualt' is invalid. Allowed choices are default, quick, paper-cifar10",
    );
    const backend = await runCli(['--backend', 'gpu']);
    expect(backend.code).toBe(USAGE_EXIT_CODE);
    expect(backend.stderr).toContain('Allowed choices are wasm, cpu, tensorflow');
  });

  it('rejects malformed seeds and unknown options with exit code 2', async () => {
    const seeds = await runCli(['--seeds', '1,x']);
    expect(seeds.code).toBe(USAGE_EXIT_CODE);
    expect(seeds.stderr).toContain(
      "--seeds must be a count N or a comma-separated list of non-negative integers, received '1,x'",
    );
    const unknown = await runCli(['--epoch', '3']);
    expect(unknown.code).toBe(USAGE_EXIT_CODE);
    expect(unknown.stderr).toContain("unknown option '--epoch'");
  });

  it('rejects an unknown method in the speed command with exit code 2', async () => {
    const { code, stderr } = await runCli(['speed', '--methods', 'rkd']);
    expect(code).toBe(USAGE_EXIT_CODE);
    expect(stderr).toContain("Unknown method 'rkd'");
    expect(stderr).toContain('Usage: geokd-bench speed');
  });

  it('prints the usage with exit code 0 for --help', async () => {
    const { code, stdout } = await runCli(['run', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--preset <name>');
    expect(stdout).toContain('--max-steps <n>');
  });

  it('shows the run options in the top-level --help too', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Commands:');
    expect(stdout).toContain('Options of the default command');
    expect(stdout).toMatch(/--preset <name> +preset/);
    expect(stdout).toContain('--methods <a,b>');
  });
});

describe('geokd-bench validates everything before training (issue 15)', () => {
  const withConfig = async (config: unknown, extra: string[] = []) => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-bench-validate-'));
    const file = path.join(dir, 'spec.json');
    fs.writeFileSync(file, JSON.stringify(config));
    const result = await runCli(['--preset', 'quick', '--config', file, ...extra]);
    fs.rmSync(dir, { recursive: true });
    return result;
  };
  const expectUsage = (result: { code: number; stderr: string }) => {
    expect(result.code).toBe(USAGE_EXIT_CODE);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.stderr).toContain('Usage: geokd-bench run');
  };

  it('rejects an unknown config key, naming it and the closest valid key', async () => {
    const result = await withConfig({ data: { seed: 0, tranSize: 10 } });
    expectUsage(result);
    expect(result.stderr).toContain(
      "spec key 'data.tranSize' must be a known key (did you mean 'trainSize'?)",
    );
  });

  it('rejects a top-level "epochs" (a key the spec does not have) instead of ignoring it', async () => {
    const result = await withConfig({ epochs: -3 });
    expectUsage(result);
    expect(result.stderr).toContain("spec key 'epochs' must be a known key");
  });

  it('rejects a typo in a loss name of lossWeights, suggesting the loss', async () => {
    const result = await withConfig({ lossWeights: { gdk: 10 } });
    expectUsage(result);
    expect(result.stderr).toContain(
      "lossWeights key 'gdk' must be a loss name (did you mean 'gkd'?)",
    );
  });

  it('rejects a wrong-typed loss weight and a negative epoch count before the teacher trains', async () => {
    const weight = await withConfig({ lossWeights: { gkd: '25' } });
    expectUsage(weight);
    expect(weight.stderr).toContain("lossWeights.gkd must be a finite number >= 0, received '25'");
    const epochs = await withConfig({ teacherTraining: { epochs: -3 } });
    expectUsage(epochs);
    expect(epochs.stderr).toContain('teacherTraining.epochs must be an integer >= 1, received -3');
  });

  it('rejects an optimiser option of the wrong type or an unknown optimiser key', async () => {
    const momentum = await withConfig({
      studentTraining: { optimizer: { type: 'sgd', momentum: 'high' } },
    });
    expectUsage(momentum);
    expect(momentum.stderr).toContain(
      "studentTraining.optimizer.momentum must be a finite number >= 0 and <= 1, received 'high'",
    );
    const key = await withConfig({ studentTraining: { optimizer: { learningRat: 0.1 } } });
    expectUsage(key);
    expect(key.stderr).toContain("did you mean 'learningRate'?");
  });

  it('rejects repeated seeds instead of counting one run twice', async () => {
    const result = await runCli(['--preset', 'quick', '--seeds', '1,1']);
    expectUsage(result);
    expect(result.stderr).toContain('--seeds must be distinct seeds');
    expect(result.stderr).toContain('1,1 (1 repeated)');
  });

  it('rejects an --out or --cache-dir that cannot be created, before training, with exit code 2', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-bench-out-'));
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    const out = await runCli(['--preset', 'quick', '--out', path.join(file, 'results')]);
    expectUsage(out);
    expect(out.stderr).toContain(
      `--out must be a folder that can be created and written, received '${path.join(file, 'results')}' (ENOTDIR)`,
    );
    const cache = await runCli([
      '--preset',
      'quick',
      '--out',
      path.join(dir, 'ok'),
      '--cache-dir',
      file,
    ]);
    expectUsage(cache);
    expect(cache.stderr).toContain(
      `--cache-dir must be a folder that can be created and written, received '${file}'`,
    );
    fs.rmSync(dir, { recursive: true });
  });

  it('rejects an unknown model name before training', async () => {
    const result = await withConfig({ student: { name: 'small-cnm' } });
    expectUsage(result);
    expect(result.stderr).toContain('small-cnm');
  });
});
