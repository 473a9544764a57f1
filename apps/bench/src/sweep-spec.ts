import fs from 'node:fs';
import { InvalidArgumentError, UnknownNameError } from '@geokd/errors';
import { parse as parseYaml } from 'yaml';
import type { BenchSpec } from './bench-spec';
import { getPreset } from './presets';
import { DEFAULT_LOSS_WEIGHTS } from './registry';
import { mergeSpec, validateSpec } from './resolve-spec';
import { checkSpecStructure, SPEC_KEYS } from './spec-schema';

/** Grids of a sweep beyond methods and seeds: every combination is one variant. */
export interface SweepGrid {
  /** λ values to try, by loss name, e.g. `{ gkd: [10, 25, 50] }`. */
  lossWeights: Record<string, number[]>;
  /** Values to try of loss options, by loss name then option, e.g. `{ gkd: { k: [4, 8] } }`. */
  lossOptions: Record<string, Record<string, unknown[]>>;
}

/** A validated sweep spec (what `geokd-bench sweep spec.json` reads). */
export interface SweepSpec {
  /** Name of the sweep (shown in the progress lines). */
  name: string;
  /** The run spec every job starts from: the preset, the `config` over it, methods and seeds. */
  base: BenchSpec;
  /** Grids over loss weights and loss options. */
  grid: SweepGrid;
}

const FN = 'geokd-bench sweep';
const TOP_KEYS = ['$schema', 'name', 'preset', 'config', 'methods', 'seeds', 'grid'];
const GRID_KEYS = ['lossWeights', 'lossOptions'];
/** The run-spec keys a sweep sets at its own top level (`preset`, `methods`, `seeds`), not in `config`. */
const SWEEP_LEVEL_KEYS: readonly string[] = ['preset', 'methods', 'seeds', 'primaryComparisons'];
const CONFIG_KEYS = SPEC_KEYS.top.filter((key) => !SWEEP_LEVEL_KEYS.includes(key));

type PlainObject = Record<string, unknown>;

const isPlainObject = (value: unknown): value is PlainObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: unknown): string =>
  Array.isArray(value)
    ? `an array (${JSON.stringify(value)})`
    : value === null
      ? 'null'
      : typeof value === 'object'
        ? 'an object'
        : `${typeof value} ${JSON.stringify(value)}`;

function fail(argument: string, expected: string, received: unknown): never {
  throw new InvalidArgumentError({
    functionName: FN,
    argument,
    expected,
    received: describe(received),
  });
}

function checkKeys(value: PlainObject, valid: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!valid.includes(key)) {
      throw new UnknownNameError({ kind: `${where} key`, name: key, validNames: [...valid] });
    }
  }
}

function objectAt(value: unknown, argument: string): PlainObject {
  if (!isPlainObject(value)) fail(argument, 'an object', value);
  return value;
}

function checkLossName(name: string, argument: string): void {
  const valid = Object.keys(DEFAULT_LOSS_WEIGHTS);
  if (!valid.includes(name)) {
    throw new UnknownNameError({ kind: `${argument} loss`, name, validNames: valid });
  }
}

function nonEmptyArray(value: unknown, argument: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) fail(argument, 'a non-empty array', value);
  return value;
}

function parseGrid(raw: unknown): SweepGrid {
  const grid: SweepGrid = { lossWeights: {}, lossOptions: {} };
  if (raw === undefined) return grid;
  const object = objectAt(raw, 'grid');
  checkKeys(object, GRID_KEYS, 'grid');
  if (object.lossWeights !== undefined) {
    for (const [loss, values] of Object.entries(objectAt(object.lossWeights, 'grid.lossWeights'))) {
      const argument = `grid.lossWeights.${loss}`;
      checkLossName(loss, 'grid.lossWeights');
      const list = nonEmptyArray(values, argument);
      list.forEach((weight, index) => {
        if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
          fail(`${argument}[${index}]`, 'a finite number >= 0', weight);
        }
      });
      grid.lossWeights[loss] = list as number[];
    }
  }
  if (object.lossOptions !== undefined) {
    for (const [loss, options] of Object.entries(
      objectAt(object.lossOptions, 'grid.lossOptions'),
    )) {
      checkLossName(loss, 'grid.lossOptions');
      const perOption: Record<string, unknown[]> = {};
      for (const [option, values] of Object.entries(
        objectAt(options, `grid.lossOptions.${loss}`),
      )) {
        perOption[option] = nonEmptyArray(values, `grid.lossOptions.${loss}.${option}`);
      }
      grid.lossOptions[loss] = perOption;
    }
  }
  return grid;
}

function parseSeedsField(raw: unknown): number[] {
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw) || raw < 1) fail('seeds', 'a count >= 1 or a list of seeds', raw);
    return Array.from({ length: raw }, (_, index) => index + 1);
  }
  const list = nonEmptyArray(raw, 'seeds');
  list.forEach((seed, index) => {
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) {
      fail(`seeds[${index}]`, 'an integer >= 0', seed);
    }
  });
  if (new Set(list).size !== list.length) fail('seeds', 'distinct seeds', list);
  return list as number[];
}

/**
 * Validates a parsed sweep spec and resolves its base run spec (preset, then `config` merged
 * over it, then `methods` and `seeds`).
 *
 * @throws UnknownNameError for an unknown key, preset, method or loss (naming the closest valid
 *   one), InvalidArgumentError for a value of the wrong type or out of range.
 */
export function validateSweepSpec(raw: unknown): SweepSpec {
  const object = objectAt(raw, 'sweep spec');
  checkKeys(object, TOP_KEYS, 'sweep spec');
  if (typeof object.preset !== 'string') fail('preset', 'a preset name (string)', object.preset);
  if (object.name !== undefined && typeof object.name !== 'string') {
    fail('name', 'a string', object.name);
  }
  let base = getPreset(object.preset);
  if (object.config !== undefined) {
    checkSpecStructure(object.config, {
      functionName: FN,
      path: 'config',
      partial: true,
      topKeys: CONFIG_KEYS,
    });
    base = mergeSpec(base, object.config);
  }
  if (object.methods !== undefined) {
    const methods = nonEmptyArray(object.methods, 'methods');
    methods.forEach((method, index) => {
      if (typeof method !== 'string') fail(`methods[${index}]`, 'a method name (string)', method);
    });
    base.methods = methods as string[];
  }
  if (object.seeds !== undefined) base.seeds = parseSeedsField(object.seeds);
  validateSpec(base);
  return {
    name: typeof object.name === 'string' ? object.name : base.preset,
    base,
    grid: parseGrid(object.grid),
  };
}

/**
 * Reads a sweep spec file: JSON, or YAML when the name ends in `.yaml` / `.yml`.
 *
 * @throws InvalidArgumentError when the file is missing or does not parse; see
 *   {@link validateSweepSpec} for the checks of its content.
 */
export function loadSweepSpec(file: string): SweepSpec {
  if (!fs.existsSync(file)) fail('spec', 'an existing sweep spec file', file);
  const text = fs.readFileSync(file, 'utf8');
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (cause) {
    throw new InvalidArgumentError({
      functionName: FN,
      argument: 'spec',
      expected: /\.ya?ml$/i.test(file) ? 'a YAML file' : 'a JSON file',
      received: `'${file}' (${(cause as Error).message})`,
      cause,
    });
  }
  return validateSweepSpec(raw);
}
