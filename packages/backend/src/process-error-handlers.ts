type ErrorEvent = 'uncaughtException' | 'unhandledRejection';
type Listener = (...args: unknown[]) => void;

const EVENTS: readonly ErrorEvent[] = ['uncaughtException', 'unhandledRejection'];

/**
 * The two handlers Emscripten's Node glue installs: they rethrow from inside the handler, which
 * makes Node print the whole minified glue file (~55 KB) around the error and exit with code 7
 * ("internal exception handler failure") instead of 1.
 */
function isEmscriptenHandler(listener: Listener): boolean {
  const source = Function.prototype.toString.call(listener).replace(/\s+/g, '');
  return (
    source.includes('instanceofExitStatus') || /^function\(reason\)\{throwreason;?\}$/.test(source)
  );
}

type ProcessEvents = {
  listeners(event: string): Listener[];
  removeListener(event: string, listener: Listener): unknown;
};

function processOrUndefined(): ProcessEvents | undefined {
  return typeof process !== 'undefined' && typeof process.listeners === 'function'
    ? (process as unknown as ProcessEvents)
    : undefined;
}

/** The error listeners of the process now, to compare with after loading a backend. */
export function snapshotErrorHandlers(): Map<ErrorEvent, Listener[]> {
  const snapshot = new Map<ErrorEvent, Listener[]>();
  const proc = processOrUndefined();
  if (proc === undefined) return snapshot;
  for (const event of EVENTS) snapshot.set(event, proc.listeners(event));
  return snapshot;
}

/**
 * Leaves the process's `uncaughtException`/`unhandledRejection` handling as it was in
 * `snapshot`: removes every handler added since, and any Emscripten glue handler (installed
 * when tfjs-backend-wasm was imported before the snapshot). Handlers that were there before
 * and are not Emscripten's stay.
 */
export function restoreErrorHandlers(snapshot: Map<ErrorEvent, Listener[]>): void {
  const proc = processOrUndefined();
  if (proc === undefined) return;
  for (const event of EVENTS) {
    const before = snapshot.get(event) ?? [];
    for (const listener of proc.listeners(event)) {
      if (!before.includes(listener) || isEmscriptenHandler(listener)) {
        proc.removeListener(event, listener);
      }
    }
  }
}
