/** Marker shared by every copy of this package, so `isInstance` works across duplicated installs. */
const GEOKD_ERROR_MARKER = Symbol.for('geokd.error');

/**
 * Base class of every error thrown by geokd library code.
 *
 * Use {@link GeokdError.isInstance} rather than `instanceof`: an application may end up with two
 * copies of this package (two versions in node_modules), and `instanceof` fails across copies.
 */
export class GeokdError extends Error {
  /** A stable machine-readable code, e.g. `'invalid-argument'`. */
  readonly code: string;
  private readonly [GEOKD_ERROR_MARKER] = true;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'geokd-error';
  }

  /** True when `error` is a geokd error, from this copy of the package or any other. */
  static isInstance(error: unknown): error is GeokdError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[GEOKD_ERROR_MARKER] === true
    );
  }
}
