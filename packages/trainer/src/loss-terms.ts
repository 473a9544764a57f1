import { InvalidArgumentError } from '@geokd/errors';
import * as kdLosses from '@geokd/kd-losses';
import type { DistillationLossDescriptor } from './distillation-loss-contract';
import type { TrainableModel } from './model-contract';

/**
 * One weighted distillation term of {@link distill}.
 *
 * @example
 * ```ts
 * { loss: 'gkd', weight: 25, taps: ['stage1', 'stage2', 'pool'], options: { k: 128 } }
 * { loss: 'hinton', weight: 0.9, options: { temperature: 4 } }
 * ```
 */
export interface DistillationTerm {
  /** A name in the `@geokd/kd-losses` registry, or a loss object of the same shape. */
  loss: string | DistillationLossDescriptor;
  /** Multiplies the term in the total loss; 0 computes and reports it without training on it. */
  weight: number;
  /** Feature taps the loss compares (feature losses only; must exist in both models). */
  taps?: string[];
  /** Options handed to the loss's `compute`. @default {} */
  options?: Record<string, unknown>;
  /** Label in events and metrics. @default the loss's name (`-2`, `-3`… appended on repeats) */
  name?: string;
}

/** A term after lookup and validation. */
export interface ResolvedLossTerm {
  name: string;
  loss: DistillationLossDescriptor;
  weight: number;
  /** Taps for feature losses; empty for logit losses. */
  taps: string[];
  options: Record<string, unknown>;
}

/** Name of the always-present cross-entropy term. */
export const CROSS_ENTROPY_TERM = 'cross-entropy';

type Registry = { getDistillationLoss?: (name: string) => DistillationLossDescriptor };

function lookUp(name: string): DistillationLossDescriptor {
  const registry = kdLosses as Registry;
  if (typeof registry.getDistillationLoss !== 'function') {
    throw new InvalidArgumentError({
      functionName: 'distill',
      argument: 'losses',
      expected: 'loss objects while @geokd/kd-losses exports no getDistillationLoss',
      received: `the name '${name}'`,
    });
  }
  return registry.getDistillationLoss(name);
}

/**
 * Looks up and validates the distillation terms against both models.
 *
 * @throws InvalidArgumentError for a bad weight, a malformed loss object, missing or unknown taps
 *   (the message lists each model's taps), or taps given to a logit loss.
 * @throws UnknownNameError (from the registry) for an unknown loss name.
 */
export function resolveLossTerms(
  terms: readonly DistillationTerm[],
  student: TrainableModel,
  teacher: TrainableModel,
  functionName = 'distill',
): ResolvedLossTerm[] {
  if (!Array.isArray(terms)) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'losses',
      expected: 'an array of { loss, weight, taps?, options? }',
      received: typeof terms,
    });
  }
  const used = new Set([CROSS_ENTROPY_TERM]);
  return terms.map((term, index) => {
    const where = `losses[${index}]`;
    if (!(Number.isFinite(term.weight) && term.weight >= 0)) {
      throw new InvalidArgumentError({
        functionName,
        argument: `${where}.weight`,
        expected: 'a finite number >= 0',
        received: String(term.weight),
      });
    }
    const loss = typeof term.loss === 'string' ? lookUp(term.loss) : term.loss;
    if (loss === null || typeof loss !== 'object' || typeof loss.compute !== 'function') {
      throw new InvalidArgumentError({
        functionName,
        argument: `${where}.loss`,
        expected: 'a registry name or an object with name, input and compute',
        received: typeof loss,
      });
    }
    if (loss.input !== 'features' && loss.input !== 'logits') {
      throw new InvalidArgumentError({
        functionName,
        argument: `${where}.loss.input`,
        expected: "'features' or 'logits'",
        received: String(loss.input),
      });
    }
    const taps: string[] = term.taps ?? [];
    if (loss.input === 'logits' && taps.length > 0) {
      throw new InvalidArgumentError({
        functionName,
        argument: `${where}.taps`,
        expected: `absent for '${loss.name}', which compares logits`,
        received: `[${taps.join(', ')}]`,
      });
    }
    if (loss.input === 'features') {
      if (taps.length === 0) {
        throw new InvalidArgumentError({
          functionName,
          argument: `${where}.taps`,
          expected: `a non-empty list of feature taps for '${loss.name}' (student taps: ${student.featureNames.join(', ')}; teacher taps: ${teacher.featureNames.join(', ')})`,
          received: term.taps === undefined ? 'nothing' : '[]',
        });
      }
      taps.forEach((tap: string, tapIndex: number) => {
        for (const [role, model] of [
          ['student', student],
          ['teacher', teacher],
        ] as const) {
          if (!model.featureNames.includes(tap)) {
            throw new InvalidArgumentError({
              functionName,
              argument: `${where}.taps[${tapIndex}]`,
              expected: `a feature tap of the ${role} '${model.name}' (valid: ${model.featureNames.join(', ')})`,
              received: `'${tap}'`,
            });
          }
        }
      });
    }
    let name = term.name ?? loss.name;
    if (term.name !== undefined && used.has(name)) {
      throw new InvalidArgumentError({
        functionName,
        argument: `${where}.name`,
        expected: `a name not used by another term (${[...used].join(', ')})`,
        received: `'${name}'`,
      });
    }
    for (let copy = 2; used.has(name); copy++) name = `${loss.name}-${copy}`;
    used.add(name);
    return { name, loss, weight: term.weight, taps: [...taps], options: { ...(term.options ?? {}) } };
  });
}
