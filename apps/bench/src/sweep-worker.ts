import type { CoordinatorMessage, WorkerMessage } from './local-workers';
import { SweepJobRunner } from './sweep-job-runner';

/** Options of {@link runIpcWorker}. */
export interface IpcWorkerOptions {
  /** Teacher cache folder. */
  cacheDir: string;
  /** Folder of the per-job checkpoints. */
  checkpointRoot: string;
}

const send = (message: WorkerMessage) => process.send?.(message);

/**
 * The loop of a local worker process (forked by the coordinator with an IPC channel): asks for
 * a job, runs it, reports the record, until told to stop. Exits when the coordinator goes away.
 */
export function runIpcWorker(options: IpcWorkerOptions): Promise<void> {
  if (process.send === undefined) {
    throw new Error('geokd-bench worker --ipc runs only as a child of geokd-bench sweep --workers');
  }
  const runner = new SweepJobRunner({
    worker: `local[pid ${process.pid}]`,
    cacheDir: options.cacheDir,
    checkpointRoot: options.checkpointRoot,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  // Orphaned (the coordinator died): stop rather than train for nobody.
  process.on('disconnect', () => process.exit(0));
  return new Promise((resolve) => {
    process.on('message', (message: CoordinatorMessage) => {
      if (message.type === 'stop') {
        runner.dispose();
        process.removeAllListeners('disconnect');
        process.disconnect();
        resolve();
        return;
      }
      runner.run(message.job).then(
        (record) => send({ type: 'done', record }),
        (error: unknown) =>
          send({
            type: 'failed',
            id: message.job.id,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      );
    });
    send({ type: 'ready' });
  });
}
