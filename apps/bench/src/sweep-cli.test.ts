import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-sweep-cli-'));
const specFile = (content: unknown) => {
  const file = path.join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
};

describe('geokd-bench sweep / worker / collect bad arguments', () => {
  it('names an unknown spec key and the closest valid one, exit code 2 with the usage', async () => {
    const { code, stderr } = await runCli(['sweep', specFile({ preset: 'quick', seed: [1] })]);
    expect(code).toBe(USAGE_EXIT_CODE);
    expect(stderr).toContain("Unknown sweep spec key 'seed'");
    expect(stderr).toContain("Did you mean 'seeds'?");
    expect(stderr).toContain('Usage: geokd-bench sweep');
  });

  it('rejects a spec file that does not exist and a queue URL that is not redis://', async () => {
    const missing = await runCli(['collect', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(USAGE_EXIT_CODE);
    expect(missing.stderr).toContain('existing sweep spec file');
    const badQueue = await runCli([
      'sweep',
      specFile({ preset: 'quick' }),
      '--queue',
      'http://127.0.0.1:6379',
    ]);
    expect(badQueue.code).toBe(USAGE_EXIT_CODE);
    expect(badQueue.stderr).toContain('--queue');
  });

  it('asks worker for --queue and --workers for a positive integer', async () => {
    const worker = await runCli(['worker']);
    expect(worker.code).toBe(USAGE_EXIT_CODE);
    expect(worker.stderr).toContain('worker needs --queue redis://host:port');
    const workers = await runCli(['sweep', specFile({ preset: 'quick' }), '--workers', '0']);
    expect(workers.code).toBe(USAGE_EXIT_CODE);
    expect(workers.stderr).toContain('--workers must be >= 1');
  });
});
