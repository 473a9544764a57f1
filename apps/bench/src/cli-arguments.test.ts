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
});
