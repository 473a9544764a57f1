/** Marker shared by every copy of this package, so `isInstance` works across duplicated installs. */
const GEOKD_ERROR_MARKER = Symbol.for('geokd.error');
/**
 * Names of the classes an error was built as (its own and each geokd base), shared by every copy
 * of this package, so each subclass's `isInstance` answers for that class only.
 */
const GEOKD_ERROR_CLASSES = Symbol.for('geokd.error.classes');

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
  private readonly [GEOKD_ERROR_CLASSES]: readonly string[];

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'geokd-error';
    const classes: string[] = [];
    for (
      let prototype: object | null = new.target.prototype;
      prototype !== null && prototype !== Error.prototype;
      prototype = Object.getPrototypeOf(prototype)
    ) {
      classes.push((prototype as { constructor: { name: string } }).constructor.name);
    }
    this[GEOKD_ERROR_CLASSES] = classes;
  }

  /**
   * True when `error` was built as this class (or a subclass of it), from this copy of the
   * package or any other: `GeokdError.isInstance(e)` accepts every geokd error,
   * `InvalidArgumentError.isInstance(e)` only invalid-argument errors. Classes are told apart by
   * name, so two geokd error classes must not share a name.
   */
  static isInstance<T extends GeokdError>(
    this: abstract new (
      ...args: never[]
    ) => T,
    error: unknown,
  ): error is T {
    if (
      typeof error !== 'object' ||
      error === null ||
      (error as Record<symbol, unknown>)[GEOKD_ERROR_MARKER] !== true
    ) {
      return false;
    }
    // `this` is the class `isInstance` was called on: that is what makes the answer per class.
    // biome-ignore lint/complexity/noThisInStatic: the receiver class is the point here.
    const className = this.name;
    if (className === 'GeokdError') return true;
    const classes = (error as Record<symbol, unknown>)[GEOKD_ERROR_CLASSES];
    return Array.isArray(classes) && classes.includes(className);
  }
}
