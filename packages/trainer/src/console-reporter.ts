import { SingleBar } from 'cli-progress';
import type { TrainingEvent, TrainingEventHandler } from './training-events';

/** Options of {@link createConsoleReporter}. */
export interface ConsoleReporterOptions {
  /** Where to write. @default process.stderr */
  stream?: NodeJS.WritableStream;
  /** Interval between plain progress lines when the stream is not a TTY, in ms. @default 10000 */
  plainLineIntervalMs?: number;
}

const format = (value: number, digits = 4) =>
  Number.isFinite(value) ? value.toFixed(digits) : String(value);
const percent = (value: number) => `${(100 * value).toFixed(2)}%`;

/**
 * A reporter for `onEvent` that draws a progress bar (cli-progress) with the epoch, step, loss,
 * batch accuracy, images/s and ETA, and prints one summary line per epoch. On a stream that is
 * not a TTY (CI logs, files) it prints plain progress lines at an interval instead of redrawing.
 *
 * @example
 * ```ts
 * await trainTeacher({ model, data, epochs: 10, seed: 1, onEvent: createConsoleReporter() });
 * ```
 */
export function createConsoleReporter(options: ConsoleReporterOptions = {}): TrainingEventHandler {
  const stream = options.stream ?? process.stderr;
  let bar: SingleBar | undefined;
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
  };
  return (event: TrainingEvent) => {
    switch (event.type) {
      case 'run-start':
        stream.write(
          `${event.task}: ${event.epochs} epochs × ${event.stepsPerEpoch} steps on ${event.backend}${event.resumed ? `, resumed at epoch ${event.startEpoch}` : ''}\n`,
        );
        break;
      case 'epoch-start':
        stopBar();
        bar = new SingleBar({
          stream,
          format: `epoch ${event.epoch}/${event.epochs} [{bar}] step {value}/{total} | loss {loss} | acc {accuracy} | lr {lr} | {speed} img/s | ETA {eta_formatted}`,
          barsize: 20,
          noTTYOutput: true,
          notTTYSchedule: options.plainLineIntervalMs ?? 10_000,
          hideCursor: false,
          etaBuffer: 20,
        });
        bar.start(event.stepsPerEpoch, 0, {
          loss: '-',
          accuracy: '-',
          lr: format(event.learningRate, 5),
          speed: '-',
        });
        break;
      case 'step':
        bar?.update(event.step, {
          loss: format(event.loss),
          accuracy: event.accuracy === undefined ? '-' : percent(event.accuracy),
          lr: format(event.learningRate, 5),
          speed: event.imagesPerSecond.toFixed(0),
        });
        break;
      case 'epoch-end': {
        stopBar();
        const terms = Object.entries(event.train.terms)
          .map(([name, value]) => `${name} ${format(value)}`)
          .join(', ');
        stream.write(
          `epoch ${event.epoch}/${event.epochs}: train loss ${format(event.train.totalLoss)} (${terms}), acc ${percent(event.train.accuracy)} | test loss ${format(event.test.loss)}, acc ${percent(event.test.accuracy)} | ${(event.durationMs / 1000).toFixed(1)} s\n`,
        );
        break;
      }
      case 'checkpoint':
        stream.write(`checkpoint: epoch ${event.epoch} saved to ${event.path}\n`);
        break;
      case 'run-end':
        stopBar();
        stream.write(
          event.status === 'completed'
            ? `done in ${(event.durationMs / 1000).toFixed(1)} s: test acc ${percent(event.test?.accuracy ?? Number.NaN)}\n`
            : `stopped after ${(event.durationMs / 1000).toFixed(1)} s: ${event.error instanceof Error ? event.error.message : String(event.error)}\n`,
        );
        break;
    }
  };
}
