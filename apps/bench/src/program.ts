import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GeokdError } from '@geokd/errors';
import {
  Command,
  InvalidArgumentError as CommanderArgumentError,
  CommanderError,
  Option,
} from 'commander';
import { resolvedMethodTerms } from './method-terms';
import { listPresets } from './presets';
import type { TextSink } from './progress-display';
import { listMethods } from './registry';
import { parseSeeds, resolveSpec, type SpecOverrides } from './resolve-spec';
import { ensureWritableDir } from './writable-dir';

/** Exit code of bad command-line arguments. */
export const USAGE_EXIT_CODE = 2;

/** Where the CLI writes. */
export interface CliIo {
  /** Normal output (the table). */
  stdout: TextSink;
  /** Errors, usage and the progress display. */
  stderr: TextSink;
}

/** The bench package's folder (outputs and the teacher cache default to folders in it). */
export function packageDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
}

/** A bad argument found after commander parsed the line (printed with the usage, exit 2). */
class UsageFailure {
  constructor(
    readonly message: string,
    readonly command: Command,
  ) {}
}

function integer(name: string, minimum: number) {
  return (text: string): number => {
    if (!/^-?\d+$/.test(text.trim())) {
      throw new CommanderArgumentError(`${name} must be an integer, received '${text}'.`);
    }
    const value = Number(text);
    if (value < minimum) {
      throw new CommanderArgumentError(`${name} must be >= ${minimum}, received ${value}.`);
    }
    return value;
  };
}

const list = (text: string): string[] =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

interface RunOptions {
  preset: string;
  epochs?: number;
  seeds?: string;
  methods?: string[];
  batchSize?: number;
  backend?: string;
  dataDir?: string;
  data?: string;
  config?: string;
  out?: string;
  cacheDir?: string;
  maxSteps?: number;
  trainSize?: number;
  testSize?: number;
  dryRun?: boolean;
}

interface SpeedOptions {
  preset: string;
  methods?: string[];
  batchSize?: number;
  backend?: string;
  steps: number;
  widths?: string[];
  batchSizes?: string[];
  out?: string;
  pytorch: boolean;
}

interface SweepCommandOptions {
  workers?: number;
  queue?: string;
  queueName: string;
  only?: string[];
  retryFailed?: boolean;
  out?: string;
  cacheDir?: string;
  checkpointDir?: string;
  pollMs?: number;
}

interface WorkerCommandOptions {
  queue?: string;
  queueName: string;
  cacheDir?: string;
  checkpointDir?: string;
  stallMs: number;
  name?: string;
  ipc?: boolean;
}

/** Runs `sweep` or `collect`; resolves to the exit code (1 when a job failed or has no result). */
async function sweepAction(
  kind: 'sweep' | 'collect',
  specFile: string,
  options: SweepCommandOptions,
  command: Command,
  io: CliIo,
): Promise<number> {
  const { loadSweepSpec } = await import('./sweep-spec');
  // `pnpm bench sweep apps/bench/…` runs in apps/bench: a path relative to where pnpm was
  // started (INIT_CWD) is found there.
  const initCwd = process.env.INIT_CWD;
  if (
    !fs.existsSync(specFile) &&
    initCwd !== undefined &&
    fs.existsSync(path.resolve(initCwd, specFile))
  ) {
    specFile = path.resolve(initCwd, specFile);
  }
  let name: string;
  try {
    name = loadSweepSpec(specFile).name;
    if (options.queue !== undefined) {
      const { parseRedisUrl } = await import('./redis-connection');
      parseRedisUrl(options.queue);
    }
  } catch (error) {
    if (GeokdError.isInstance(error)) throw new UsageFailure((error as Error).message, command);
    throw error;
  }
  const outDir = path.resolve(
    options.out ?? path.join(packageDir(), 'results', 'sweeps', name.replace(/[^\w.-]+/g, '_')),
  );
  const sweepOptions = {
    specFile,
    outDir,
    cacheDir: path.resolve(options.cacheDir ?? path.join(packageDir(), '.cache')),
    ...(options.checkpointDir !== undefined
      ? { checkpointRoot: path.resolve(options.checkpointDir) }
      : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.queue !== undefined ? { queue: options.queue } : {}),
    queueName: options.queueName,
    ...(options.only !== undefined ? { only: options.only } : {}),
    retryFailed: options.retryFailed === true,
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    cliPath: path.join(packageDir(), 'dist', 'cli.js'),
    log: (line: string) => io.stdout.write(`${line}\n`),
    progressSink: io.stderr,
  };
  const { runSweep, collectSweep } = await import('./run-sweep');
  const result = kind === 'sweep' ? await runSweep(sweepOptions) : await collectSweep(sweepOptions);
  const missing = result.variants.some((variant) => variant.missing.length > 0);
  return result.failed.length > 0 || missing || result.variants.length === 0 ? 1 : 0;
}

/** Builds the commander program; `run` is the default command. */
function buildProgram(io: CliIo, outcome: { code: number }): Command {
  const program = new Command('geokd-bench')
    .description('Benchmark geometric knowledge distillation (GKD) against its baselines.')
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  const backendOption = () =>
    new Option('--backend <name>', 'TensorFlow.js backend to force').choices([
      'wasm',
      'cpu',
      'tensorflow',
      'webgpu',
    ]);
  const run = program
    .command('run', { isDefault: true })
    .description(
      'train the teacher (or reuse it), distil a student per method and seed, write the table and plots',
    )
    .addOption(new Option('--preset <name>', 'preset').choices(listPresets()).default('default'))
    .option(
      '--epochs <n>',
      'epochs of the teacher and of each student (> 0)',
      integer('--epochs', 1),
    )
    .option('--seeds <n|list>', 'number of seeds (1..N) or a comma-separated list of seeds')
    .option('--methods <a,b>', `methods, comma-separated (${listMethods().join(', ')})`, list)
    .option('--batch-size <n>', 'batch size', integer('--batch-size', 1))
    .addOption(backendOption())
    .option('--data-dir <dir>', 'folder holding the dataset files (file-based datasets)')
    .addOption(
      new Option(
        '--data <kind>',
        'replace the dataset by generated data of the same shape',
      ).choices(['synthetic']),
    )
    .option('--config <file>', 'JSON file with a whole or partial run spec, merged over the preset')
    .option('--out <dir>', 'output folder (default: apps/bench/results/<preset>)')
    .option('--cache-dir <dir>', 'teacher cache folder (default: apps/bench/.cache)')
    .option(
      '--max-steps <n>',
      'stop every epoch after n steps (smoke runs)',
      integer('--max-steps', 1),
    )
    .option(
      '--train-size <n>',
      'training images kept (stratified subset)',
      integer('--train-size', 1),
    )
    .option('--test-size <n>', 'test images kept (stratified subset)', integer('--test-size', 1))
    .option(
      '--dry-run',
      "print the resolved run spec and each method's loss terms as JSON, then exit without training",
    )
    .action(async (options: RunOptions, command: Command) => {
      let spec: ReturnType<typeof resolveSpec>;
      let outDir = '';
      let cacheDir = '';
      try {
        const overrides: SpecOverrides = {
          ...(command.getOptionValueSource('preset') === 'default' && options.config !== undefined
            ? {}
            : { preset: options.preset }),
          ...(options.config !== undefined ? { configFile: options.config } : {}),
          ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
          ...(options.seeds !== undefined ? { seeds: parseSeeds(options.seeds) } : {}),
          ...(options.methods !== undefined ? { methods: options.methods } : {}),
          ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
          ...(options.backend !== undefined ? { backend: options.backend } : {}),
          ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
          ...(options.data !== undefined ? { data: options.data } : {}),
          ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
          ...(options.trainSize !== undefined ? { trainSize: options.trainSize } : {}),
          ...(options.testSize !== undefined ? { testSize: options.testSize } : {}),
        };
        spec = resolveSpec(overrides);
        outDir = path.resolve(options.out ?? path.join(packageDir(), 'results', spec.preset));
        cacheDir = path.resolve(options.cacheDir ?? path.join(packageDir(), '.cache'));
        if (options.dryRun) {
          io.stdout.write(
            `${JSON.stringify({ spec, methodTerms: resolvedMethodTerms(spec), outDir, cacheDir }, null, 2)}\n`,
          );
          outcome.code = 0;
          return;
        }
        // Everything is checked before training: the folders here, the models just below.
        ensureWritableDir(outDir, '--out');
        ensureWritableDir(cacheDir, '--cache-dir');
      } catch (error) {
        if (GeokdError.isInstance(error)) throw new UsageFailure((error as Error).message, command);
        throw error;
      }
      try {
        const { checkModels } = await import('./check-models');
        await checkModels(spec);
      } catch (error) {
        if (GeokdError.isInstance(error)) throw new UsageFailure((error as Error).message, command);
        throw error;
      }
      // Loaded on demand: --help and bad arguments answer without loading TensorFlow.js.
      const { runBenchmark } = await import('./run-benchmark');
      await runBenchmark({
        spec,
        outDir,
        cacheDir,
        log: (line) => io.stdout.write(`${line}\n`),
        progressSink: io.stderr,
      });
      outcome.code = 0;
    });
  program
    .command('speed')
    .description(
      'ms per distillation step per method vs the plain student step, graph construction throughput, PyTorch comparison',
    )
    .addOption(
      new Option('--preset <name>', 'preset whose teacher and student are timed')
        .choices(listPresets())
        .default('default'),
    )
    .option('--methods <a,b>', "methods to time (default: the preset's)", list)
    .option('--batch-size <n>', 'batch size of the distillation steps', integer('--batch-size', 2))
    .addOption(backendOption())
    .option(
      '--steps <n>',
      'timed steps per method (after two warm-up steps)',
      integer('--steps', 1),
      5,
    )
    .option('--widths <list>', 'feature widths D of the graph construction benchmark', list)
    .option('--batch-sizes <list>', 'batch sizes B of the graph construction benchmark', list)
    .option('--no-pytorch', 'skip the PyTorch comparison')
    .option('--out <dir>', 'output folder (default: apps/bench/results/speed)')
    .action(async (options: SpeedOptions, command: Command) => {
      let spec: ReturnType<typeof resolveSpec>;
      const parseList = (values: string[] | undefined, name: string) => {
        if (values === undefined) return undefined;
        return values.map((value) => integer(name, 1)(value));
      };
      let widths: number[] | undefined;
      let batchSizes: number[] | undefined;
      try {
        spec = resolveSpec({
          preset: options.preset,
          ...(options.methods !== undefined ? { methods: options.methods } : {}),
          ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
          ...(options.backend !== undefined ? { backend: options.backend } : {}),
          ...(options.preset === 'paper-cifar10' ? { data: 'synthetic' } : {}),
        });
        widths = parseList(options.widths, '--widths');
        batchSizes = parseList(options.batchSizes, '--batch-sizes');
      } catch (error) {
        if (GeokdError.isInstance(error) || error instanceof CommanderArgumentError) {
          throw new UsageFailure((error as Error).message, command);
        }
        throw error;
      }
      const outDir = path.resolve(options.out ?? path.join(packageDir(), 'results', 'speed'));
      const { runSpeedBenchmark } = await import('./speed-benchmark');
      await runSpeedBenchmark({
        spec,
        steps: options.steps,
        ...(widths ? { widths } : {}),
        ...(batchSizes ? { batchSizes } : {}),
        pytorch: options.pytorch,
        outDir,
        log: (line) => io.stdout.write(`${line}\n`),
      });
      outcome.code = 0;
    });
  const sweepCommand = program
    .command('sweep')
    .description(
      'run a sweep (preset × methods × seeds × loss weights/options) on local worker processes or a Redis queue; finished jobs are kept and never re-run',
    )
    .argument('<spec>', 'sweep spec file (JSON or YAML; schema: apps/bench/sweep.schema.json)')
    .option(
      '--workers <n>',
      'local worker processes (default: one per 2 cores on wasm/cpu, 1 on tensorflow)',
      integer('--workers', 1),
    )
    .option('--queue <url>', 'put the jobs on a BullMQ queue in Redis, e.g. redis://127.0.0.1:6379')
    .option('--queue-name <name>', 'name of the BullMQ queue', 'geokd-bench')
    .option('--only <ids>', 'run only these job ids (comma-separated)', list)
    .option('--retry-failed', 'run only the jobs that failed before')
    .option('--out <dir>', 'output folder (default: apps/bench/results/sweeps/<spec name>)')
    .option('--cache-dir <dir>', 'teacher cache folder (default: apps/bench/.cache)')
    .option('--checkpoint-dir <dir>', 'per-job checkpoints (default: <out>/checkpoints)')
    .option(
      '--poll-ms <n>',
      'ms between two looks at the Redis queue',
      integer('--poll-ms', 10),
      1000,
    )
    .action(async (specFile: string, options: SweepCommandOptions, command: Command) => {
      outcome.code = await sweepAction('sweep', specFile, options, command, io);
    });
  program
    .command('collect')
    .description("build a sweep's table, charts and results.json from its stored results")
    .argument('<spec>', 'sweep spec file (JSON or YAML)')
    .option('--queue <url>', 'read the results from this Redis, e.g. redis://127.0.0.1:6379')
    .option('--queue-name <name>', 'name of the BullMQ queue', 'geokd-bench')
    .option('--out <dir>', 'output folder (default: apps/bench/results/sweeps/<spec name>)')
    .option('--cache-dir <dir>', 'teacher cache folder (default: apps/bench/.cache)')
    .action(async (specFile: string, options: SweepCommandOptions, command: Command) => {
      outcome.code = await sweepAction('collect', specFile, options, command, io);
    });
  program
    .command('worker')
    .description('pull sweep jobs from a Redis queue and run them (until Ctrl-C / SIGTERM)')
    .option('--queue <url>', 'the Redis of the sweep, e.g. redis://127.0.0.1:6379')
    .option('--queue-name <name>', 'name of the BullMQ queue', 'geokd-bench')
    .option('--cache-dir <dir>', 'teacher cache folder (default: apps/bench/.cache)')
    .option(
      '--checkpoint-dir <dir>',
      "per-job checkpoints, shared by this machine's workers (default: <tmp>/geokd-bench-checkpoints)",
    )
    .option(
      '--stall-ms <n>',
      "ms after which a silent worker's job goes to another worker",
      integer('--stall-ms', 100),
      30_000,
    )
    .option('--name <name>', 'name of this worker in the progress lines')
    .addOption(new Option('--ipc', 'run as a local worker of `sweep --workers`').hideHelp())
    .action(async (options: WorkerCommandOptions, command: Command) => {
      const cacheDir = path.resolve(options.cacheDir ?? path.join(packageDir(), '.cache'));
      const checkpointRoot = path.resolve(
        options.checkpointDir ?? path.join(os.tmpdir(), 'geokd-bench-checkpoints'),
      );
      if (options.ipc === true) {
        const { runIpcWorker } = await import('./sweep-worker');
        await runIpcWorker({ cacheDir, checkpointRoot });
        outcome.code = 0;
        return;
      }
      if (options.queue === undefined) {
        throw new UsageFailure('worker needs --queue redis://host:port', command);
      }
      try {
        const { parseRedisUrl } = await import('./redis-connection');
        parseRedisUrl(options.queue);
      } catch (error) {
        if (GeokdError.isInstance(error)) throw new UsageFailure((error as Error).message, command);
        throw error;
      }
      const { runRedisWorker } = await import('./redis-worker');
      await runRedisWorker({
        url: options.queue,
        queueName: options.queueName,
        cacheDir,
        checkpointRoot,
        stallMs: options.stallMs,
        ...(options.name !== undefined ? { name: options.name } : {}),
        log: (line) => io.stderr.write(`${line}\n`),
      });
      outcome.code = 0;
    });
  void sweepCommand;
  void run;
  // `run` is the default command, so its options work at the top level: show them there too.
  program.addHelpText('after', () => {
    const help = run.createHelp();
    const options = help.visibleOptions(run);
    const width = Math.max(...options.map((option) => help.optionTerm(option).length));
    const lines = options.map(
      (option) => `  ${help.optionTerm(option).padEnd(width)}  ${help.optionDescription(option)}`,
    );
    return `\nOptions of the default command (\`run\`, also accepted without it):\n${lines.join('\n')}\n`;
  });
  return program;
}

/**
 * Runs the CLI on `argv` (without the node and script paths) and resolves to the exit code:
 * 0 on success, 2 for bad arguments (message and usage on stderr), 1 for a failed run.
 */
export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const outcome = { code: 0 };
  const program = buildProgram(io, outcome);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return outcome.code;
  } catch (error) {
    if (error instanceof UsageFailure) {
      io.stderr.write(`error: ${error.message}\n\n${error.command.helpInformation()}`);
      return USAGE_EXIT_CODE;
    }
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') return 0;
      return USAGE_EXIT_CODE;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`geokd-bench failed: ${message}\n`);
    return 1;
  }
}
