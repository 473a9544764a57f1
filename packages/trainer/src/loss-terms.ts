import type { DistillationLoss, TapPair } from '@geokd/core';
import { InvalidArgumentError } from '@geokd/core';
import { getDistillationLoss } from '@geokd/kd-losses';
import type { TrainableModel } from './model-contract';

/**
 * One weighted distillation term of {@link distill}.
 *
 * @example
 * ```ts
 * { loss: 'gkd', weight: 25, taps: ['stage1', 'stage2', 'pool'], options: { k: 128 } }
 * { loss: 'hinton', weight: 0.9, options: { temperature: 4 } }
 * { loss: 'fitnets', weight: 100, taps: [{ teacher: 'stage3', student: 'block5' }] }
 * ```
 */
export interface DistillationTerm {
  /** A name in the `@geokd/kd-losses` registry, or a loss object of the same shape. */
  loss: string | DistillationLoss;
  /** Multiplies the term in the total loss; 0 computes and reports it without training on it. */
  weight: number;
  /**
   * Feature taps the loss compares (feature losses only): a name both models have, or a pair
   * `{ teacher, student }` when the models name the layers differently.
   */
  taps?: Array<string | TapPair>;
  /** Options handed to the loss's `compute`. @default {} */
  options?: Record<string, unknown>;
  /** Label in events and metrics. @default the loss's name (`-2`, `-3`… appended on repeats) */
  name?: string;
}

/** A term after lookup and validation. */
export interface ResolvedLossTerm {
  name: string;
  loss: DistillationLoss;
  weight: number;
  /** Tap pairs for feature losses; empty for logit losses. */
  taps: TapPair[];
  options: Record<string, unknown>;
}

/** Name of the always-present cross-entropy term. */
export const CROSS_ENTROPY_TERM = 'cross-entropy';

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
    const loss = typeof term.loss === 'string' ? getDistillationLoss(term.loss) : term.loss;
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
    const given: ReadonlyArray<string | TapPair> = term.taps ?? [];
    if (loss.input === 'logits' && given.length > 0) {
      throw new InvalidArgumentError({
        functionName,
        argument: `${where}.taps`,
        expected: `absent for '${loss.name}', which compares logits`,
        received: `[${given.map(describeTap).join(', ')}]`,
      });
    }
    const taps = given.map((tap, tapIndex) =>
      toTapPair(tap, `${where}.taps[${tapIndex}]`, functionName),
    );
    if (loss.input === 'features') {
      if (taps.length === 0) {
        throw new InvalidArgumentError({
          functionName,
          argument: `${where}.taps`,
          expected: `a non-empty list of feature taps for '${loss.name}' (student taps: ${student.featureNames.join(', ')}; teacher taps: ${teacher.featureNames.join(', ')})`,
          received: term.taps === undefined ? 'nothing' : '[]',
        });
      }
      taps.forEach((pair, tapIndex) => {
        for (const [role, model] of [
          ['student', student],
          ['teacher', teacher],
        ] as const) {
          if (!model.featureNames.includes(pair[role])) {
            const plain = typeof given[tapIndex] === 'string';
            throw new InvalidArgumentError({
              functionName,
              argument: plain ? `${where}.taps[${tapIndex}]` : `${where}.taps[${tapIndex}].${role}`,
              expected: `a feature tap of the ${role} '${model.name}' (valid: ${model.featureNames.join(', ')})`,
              received: `'${pair[role]}'`,
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
    return { name, loss, weight: term.weight, taps, options: { ...(term.options ?? {}) } };
  });
}

function describeTap(tap: string | TapPair): string {
  return typeof tap === 'string' ? tap : `${tap?.teacher} -> ${tap?.student}`;
}

function toTapPair(tap: string | TapPair, argument: string, functionName: string): TapPair {
  if (typeof tap === 'string') return { teacher: tap, student: tap };
  if (
    tap === null ||
    typeof tap !== 'object' ||
    typeof tap.teacher !== 'string' ||
    typeof tap.student !== 'string'
  ) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: "a tap name or a pair { teacher: 'name', student: 'name' }",
      received: tap === null ? 'null' : typeof tap === 'object' ? JSON.stringify(tap) : typeof tap,
    });
  }
  return { teacher: tap.teacher, student: tap.student };
}

/**
 * How a term's taps are written into a run's configuration (and so its checkpoint hash): a
 * name when teacher and student share it, as before tap pairs existed, else the pair.
 */
export function describeTermTaps(taps: readonly TapPair[]): Array<string | TapPair> {
  return taps.map((pair) => (pair.teacher === pair.student ? pair.teacher : { ...pair }));
}
