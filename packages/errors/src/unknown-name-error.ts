import { closestNames } from './closest-name';
import { GeokdError } from './geokd-error';

/** Fields of an {@link UnknownNameError}. */
export interface UnknownNameErrorOptions {
  /** What kind of thing was looked up, e.g. `'loss'`, `'model'`, `'preset'`. */
  kind: string;
  /** The name that was asked for. */
  name: string;
  /** Every valid name. */
  validNames: readonly string[];
}

/**
 * A name given to a registry (losses, models, datasets, presets) is not registered. The
 * message lists the valid names and suggests the closest one.
 */
export class UnknownNameError extends GeokdError {
  readonly kind: string;
  readonly unknownName: string;
  readonly validNames: readonly string[];
  readonly suggestion: string | undefined;

  constructor(options: UnknownNameErrorOptions) {
    const suggestions = closestNames(options.name, options.validNames);
    const suggestion = suggestions[0];
    const hint =
      suggestions.length === 0
        ? ''
        : ` Did you mean ${suggestions.map((name) => `'${name}'`).join(' or ')}?`;
    super(
      `Unknown ${options.kind} '${options.name}'. Valid ${options.kind} names: ${options.validNames.join(', ')}.${hint}`,
      { code: 'unknown-name' },
    );
    this.kind = options.kind;
    this.unknownName = options.name;
    this.validNames = options.validNames;
    this.suggestion = suggestion;
  }
}
