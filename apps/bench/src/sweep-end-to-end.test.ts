import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord } from './job-record';
import type { BenchResults } from './results-schema';

/**
 * End to end, as a user runs it: the built CLI, a sweep of 12 jobs (4 methods × 3 seeds on the
 * quick preset's data, 3 student epochs so a job is killed between checkpoints), compared with
 * a single-process `geokd-bench run` of the same spec. Redis is Debian's redis-server, started
 * here on a free port (AOF on, no RDB snapshots) and stopped at the end.
 */
const redisMissing = spawnSync('redis-server', ['--version']).error !== undefined;
const SKIP_REASON =
  'redis-server is not installed (apt-get install -y redis-server; .ci/run installs it)';
if (redisMissing) console.warn(`sweep Redis tests skipped: ${SKIP_REASON}`);

const packageDir = path.resolve(import.meta.dirname, '..');
// A build of its own, so that the bench's other end-to-end test (which rebuilds dist/ while
// this file runs in parallel) never pulls the CLI from under these processes.
const buildDir = path.join(packageDir, '.test-build', 'sweep');
const cli = path.join(buildDir, 'dist', 'cli.js');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-sweep-e2e-'));
const cacheDir = path.join(scratch, 'cache');

const METHODS = ['baseline', 'hinton', 'rkd-distance', 'gkd-dense'];
const SEEDS = [1, 2, 3];
const CONFIG = { studentTraining: { epochs: 3 } };
const specFile = path.join(scratch, 'sweep.json');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function startCli(argv: string[]): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [cli, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<Finished>((resolve) => {
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

const runCli = (argv: string[]) => startCli(argv).done;

const readResults = (dir: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as BenchResults;

/** The numbers of a results.json: every run (minus its wall time) and every summary row. */
function numbers(results: BenchResults) {
  return {
    runs: results.runs.map(({ durationMs: _duration, ...run }) => run),
    summary: results.summary.map(({ meanDurationMs: _duration, ...row }) => row),
    verdict: results.verdict,
  };
}

/** The table without its wall times and date (the only things allowed to differ). */
const tableNumbers = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'table.md'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('| '))
    .map((line) => line.split('|').slice(0, -2).join('|').replace(', cached)', ')'));

let reference: BenchResults;
const referenceDir = path.join(scratch, 'single-process');

beforeAll(async () => {
  execFileSync('pnpm', ['exec', 'tsup', '--out-dir', path.join(buildDir, 'dist')], {
    cwd: packageDir,
    stdio: 'pipe',
  });
  fs.writeFileSync(
    specFile,
    JSON.stringify({
      name: 'e2e',
      preset: 'quick',
      methods: METHODS,
      seeds: SEEDS,
      config: CONFIG,
    }),
  );
  const configFile = path.join(scratch, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(CONFIG));
  const single = await runCli([
    'run',
    '--preset',
    'quick',
    '--config',
    configFile,
    '--methods',
    METHODS.join(','),
    '--seeds',
    SEEDS.join(','),
    '--out',
    referenceDir,
    '--cache-dir',
    cacheDir,
  ]);
  expect(single.code, single.stderr).toBe(0);
  reference = readResults(referenceDir);
}, 300_000);

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.rmSync(buildDir, { recursive: true, force: true });
});

describe('geokd-bench sweep --workers (local processes)', () => {
  /** The sweep on 2 local workers, writing to `out`. */
  const localSweep = (out: string) => [
    'sweep',
    specFile,
    '--workers',
    '2',
    '--out',
    out,
    '--cache-dir',
    cacheDir,
  ];

  it('runs 12 jobs on 2 workers, equals the single-process table, never re-runs a finished job', async () => {
    const out = path.join(scratch, 'local');
    const first = await runCli(localSweep(out));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('12 jobs in 1 variant(s), 0 already finished, 12 to run');
    expect(first.stderr).toMatch(/sweep: 12\/12 done, 0 running, 0 failed/);
    expect(numbers(readResults(out))).toEqual(numbers(reference));
    expect(tableNumbers(out)).toEqual(tableNumbers(referenceDir));
    for (const name of ['accuracy.svg', 'learning-curves.png', 'similarity-graphs.svg']) {
      expect(fs.existsSync(path.join(out, name))).toBe(true);
    }

    // Started again: nothing runs, the same table comes out.
    const jobsDir = path.join(out, 'jobs');
    const stamps = fs
      .readdirSync(jobsDir)
      .map((name) => fs.statSync(path.join(jobsDir, name)).mtimeMs);
    const again = await runCli(['sweep', specFile, '--out', out, '--cache-dir', cacheDir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('12 already finished, 0 to run');
    expect(
      fs.readdirSync(jobsDir).map((name) => fs.statSync(path.join(jobsDir, name)).mtimeMs),
    ).toEqual(stamps);
    expect(numbers(readResults(out))).toEqual(numbers(reference));

    // One job alone: its result removed, `--only <id>` runs just it.
    const [lost] = fs.readdirSync(jobsDir);
    const lostId = lost!.replace('.json', '');
    fs.rmSync(path.join(jobsDir, lost!));
    const only = await runCli([
      'sweep',
      specFile,
      '--out',
      out,
      '--cache-dir',
      cacheDir,
      '--only',
      lostId,
    ]);
    expect(only.code, only.stderr).toBe(0);
    expect(only.stdout).toContain('11 already finished, 1 to run');
    expect(numbers(readResults(out))).toEqual(numbers(reference));
  }, 300_000);

  it('a local worker killed with SIGKILL mid-job: its job resumes from its checkpoint on another, every job finishes once, same table', async () => {
    const out = path.join(scratch, 'local-kill');
    const checkpoints = path.join(out, 'checkpoints');
    const coordinator = startCli(localSweep(out));
    let stderr = '';
    coordinator.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let killed: { pid: number; jobId: string; epoch: number } | undefined;
    // Kill the first worker seen between two epochs of a job (a checkpoint exists): the
    // progress lines name each worker's pid and the job it runs; the job's checkpoint
    // folder says how many epochs it has completed.
    await waitFor(
      'a local job in the middle of its epochs',
      () => {
        const lines = stderr.split('\n').filter((line) => line.startsWith('sweep: '));
        const last = lines.at(-1) ?? '';
        for (const match of last.matchAll(/local-\d+\[pid (\d+)\]: [^|]*running [^|]*\((\w+)\)/g)) {
          const [, pid, jobId] = match as unknown as [string, string, string];
          const manifest = path.join(checkpoints, jobId, 'checkpoint', 'manifest.json');
          if (!fs.existsSync(manifest)) continue;
          let epoch: number;
          try {
            epoch = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { epoch: number }).epoch;
          } catch {
            continue; // removed as the job finished
          }
          if (epoch < 1 || epoch >= 3) continue;
          process.kill(Number(pid), 'SIGKILL');
          killed = { pid: Number(pid), jobId, epoch };
          return true;
        }
        return false;
      },
      180_000,
    ).catch((error: unknown) => {
      coordinator.child.kill('SIGTERM');
      throw error;
    });
    const finished = await coordinator.done;
    expect(finished.code, finished.stderr + finished.stdout).toBe(0);
    // The coordinator saw the worker die and handed its job on.
    expect(finished.stdout).toMatch(
      new RegExp(
        `\\(${killed!.jobId}\\): worker local-\\d+\\[pid ${killed!.pid}\\] exited \\(SIGKILL\\) while running it[^\\n]*; retrying`,
      ),
    );
    // Every job finished exactly once: 12 done messages in all (a job finished twice would
    // count 13), one stored result per job, none failed.
    const last = finished.stderr
      .split('\n')
      .filter((line) => line.startsWith('sweep: '))
      .at(-1)!;
    expect(last).toMatch(/^sweep: 12\/12 done, 0 running, 0 failed/);
    const perWorker = [...last.matchAll(/local-\d+\[pid \d+\]: (\d+) done/g)].map((match) =>
      Number(match[1]),
    );
    expect(perWorker.reduce((sum, count) => sum + count, 0)).toBe(12);
    expect(
      fs.readdirSync(path.join(out, 'jobs')).filter((name) => name.endsWith('.json')),
    ).toHaveLength(12);
    // The killed job was finished by another worker, resumed from the killed worker's last
    // checkpoint (not restarted): it ran only the epochs after that checkpoint.
    const record = JSON.parse(
      fs.readFileSync(path.join(out, 'jobs', `${killed!.jobId}.json`), 'utf8'),
    ) as JobRecord;
    expect(record.worker).not.toBe(`local[pid ${killed!.pid}]`);
    expect(record.resumedEpochs).toBeGreaterThanOrEqual(killed!.epoch);
    expect(fs.existsSync(path.join(checkpoints, killed!.jobId))).toBe(false);
    // Same numbers and table as the uninterrupted single-process run.
    expect(numbers(readResults(out))).toEqual(numbers(reference));
    expect(tableNumbers(out)).toEqual(tableNumbers(referenceDir));
  }, 300_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** redis-server on 127.0.0.1 and a free port, AOF on, RDB snapshots off, in its own folder. */
class RedisServer {
  private process: ChildProcess | undefined;
  readonly dir = fs.mkdtempSync(path.join(scratch, 'redis-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--dir',
        this.dir,
      ],
      { stdio: 'ignore' },
    );
    await waitFor('redis-server to answer', () => redisAnswers(this.port), 20_000);
  }

  /** Stops it the way a service manager does (SIGTERM: AOF flushed). */
  async stop(): Promise<void> {
    const child = this.process;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.process = undefined;
  }
}

function startWorkers(redis: RedisServer, queueName: string, count: number, checkpoints: string) {
  return Array.from({ length: count }, (_, index) =>
    startCli([
      'worker',
      '--queue',
      redis.url,
      '--queue-name',
      queueName,
      '--cache-dir',
      cacheDir,
      '--checkpoint-dir',
      checkpoints,
      // Long enough that a worker busy on a loaded 2-core CI machine keeps renewing its job's
      // lock (a 2 s lock was once taken from a live worker before the kill, so the job restarted
      // from scratch), short enough that a killed worker's job is retried within seconds.
      '--stall-ms',
      '6000',
      '--name',
      `w${index + 1}`,
    ]),
  );
}

async function stopWorkers(workers: { child: ChildProcess; done: Promise<Finished> }[]) {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.done));
}

describe.skipIf(redisMissing)(
  `geokd-bench sweep --queue (Redis, BullMQ)${redisMissing ? ` (skipped: ${SKIP_REASON})` : ''}`,
  () => {
    let redis: RedisServer;

    beforeAll(async () => {
      redis = new RedisServer(await freePort());
      await redis.start();
    }, 60_000);

    afterAll(async () => {
      await redis?.stop();
    });

    it('a worker killed with SIGKILL mid-job: its job is resumed by another, every job finishes once, same table', async () => {
      const queueName = 'e2e-kill';
      const out = path.join(scratch, 'redis-kill');
      const workers = startWorkers(redis, queueName, 3, path.join(scratch, 'checkpoints-kill'));
      const coordinator = startCli([
        'sweep',
        specFile,
        '--queue',
        redis.url,
        '--queue-name',
        queueName,
        '--out',
        out,
        '--cache-dir',
        cacheDir,
        '--poll-ms',
        '200',
      ]);
      const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: redis.port } });
      let killed: { worker: string; jobId: string } | undefined;
      try {
        // Kill the first worker seen between two epochs of a job (a checkpoint exists).
        await waitFor(
          'a job in the middle of its epochs',
          async () => {
            for (const job of await queue.getActive()) {
              const progress = job.progress as { worker?: string; epoch?: number };
              if (typeof progress !== 'object' || progress.epoch === undefined) continue;
              if (progress.epoch < 1 || progress.epoch >= 3) continue;
              const index = Number(progress.worker?.slice(1)) - 1;
              workers[index]!.child.kill('SIGKILL');
              killed = { worker: progress.worker!, jobId: (job.data as { id: string }).id };
              return true;
            }
            return false;
          },
          180_000,
        );
        const finished = await coordinator.done;
        expect(finished.code, finished.stderr + finished.stdout).toBe(0);
        const client = await queue.client;
        const completions = await client.hgetall(`geokd:${queueName}:completions`);
        expect(Object.keys(completions)).toHaveLength(12);
        expect(Object.values(completions).every((count) => count === '1')).toBe(true);
        const record = JSON.parse(
          (await client.hget(`geokd:${queueName}:results`, killed!.jobId))!,
        ) as JobRecord;
        expect(record.worker).not.toBe(killed!.worker);
        expect(record.resumedEpochs).toBeGreaterThanOrEqual(1);
        expect(numbers(readResults(out))).toEqual(numbers(reference));
        expect(tableNumbers(out)).toEqual(tableNumbers(referenceDir));

        // `collect` builds the same table from what Redis holds.
        const collected = path.join(scratch, 'redis-collected');
        const collect = await runCli([
          'collect',
          specFile,
          '--queue',
          redis.url,
          '--queue-name',
          queueName,
          '--out',
          collected,
          '--cache-dir',
          cacheDir,
        ]);
        expect(collect.code, collect.stderr).toBe(0);
        expect(numbers(readResults(collected))).toEqual(numbers(reference));
      } finally {
        await queue.close();
        await stopWorkers(workers);
      }
    }, 300_000);

    it('Redis restarted during the sweep: the jobs persist (AOF) and the sweep ends with the same numbers', async () => {
      const queueName = 'e2e-restart';
      const out = path.join(scratch, 'redis-restart');
      const workers = startWorkers(redis, queueName, 2, path.join(scratch, 'checkpoints-restart'));
      const coordinator = startCli([
        'sweep',
        specFile,
        '--queue',
        redis.url,
        '--queue-name',
        queueName,
        '--out',
        out,
        '--cache-dir',
        cacheDir,
        '--poll-ms',
        '200',
      ]);
      try {
        const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: redis.port } });
        const stored = async () =>
          Object.keys(await (await queue.client).hgetall(`geokd:${queueName}:results`)).length;
        await waitFor('three finished jobs', async () => (await stored()) >= 3, 180_000);
        const before = await stored();
        await redis.stop();
        await sleep(1000);
        await redis.start();
        // What was stored before the restart is still there (AOF).
        expect(await stored()).toBeGreaterThanOrEqual(before);
        await queue.close();
        const finished = await coordinator.done;
        expect(finished.code, finished.stderr + finished.stdout).toBe(0);
        expect(numbers(readResults(out))).toEqual(numbers(reference));
      } finally {
        await stopWorkers(workers);
      }
    }, 300_000);
  },
);
