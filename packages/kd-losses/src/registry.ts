import { InvalidArgumentError, UnknownNameError } from '@geokd/core';
import type { DistillationLoss } from './distillation-loss';
import { DISTILLATION_LOSSES } from './distillation-losses';

// The list's entries take their own option types; the registry hands them options by name, so it
// sees them all as taking a record, and checks the names before any entry reads them.
const losses = DISTILLATION_LOSSES as readonly DistillationLoss[];
const byName = new Map(losses.map((loss) => [loss.name, loss]));

/**
 * The registered distillation loss called `name`, wrapped so that unknown option names are
 * rejected. The registered losses are those of {@link DISTILLATION_LOSSES}.
 *
 * @throws UnknownNameError listing the valid names (and the closest one) for an unknown name.
 * @example
 * ```ts
 * const gkd = getDistillationLoss('gkd');
 * const loss = gkd.compute(studentTaps, teacherTaps, { k: 16, classes: { mode: 'intra' } }, { labels });
 * ```
 */
export function getDistillationLoss(name: string): DistillationLoss {
  const loss = byName.get(name);
  if (loss === undefined) {
    throw new UnknownNameError({
      kind: 'distillation loss',
      name,
      validNames: listDistillationLosses(),
    });
  }
  const optionNames = loss.optionNames ?? [];
  const checkOptions = (options: Record<string, unknown> | undefined) => {
    for (const key of Object.keys(options ?? {})) {
      if (!optionNames.includes(key)) {
        throw new InvalidArgumentError({
          functionName: loss.name,
          argument: `options.${key}`,
          expected:
            optionNames.length === 0
              ? 'absent (this loss takes no options)'
              : `one of the options ${optionNames.join(', ')}`,
          received: 'an unknown option',
        });
      }
    }
    return options ?? {};
  };
  const { createParameters } = loss;
  return {
    ...loss,
    ...(createParameters === undefined
      ? {}
      : {
          createParameters: (shapes, options, seed) =>
            createParameters.call(loss, shapes, checkOptions(options), seed),
        }),
    compute(student, teacher, options, context) {
      return loss.compute(student, teacher, checkOptions(options), context ?? {});
    },
  };
}

/** The names of every registered distillation loss. */
export function listDistillationLosses(): string[] {
  return losses.map((loss) => loss.name);
}
