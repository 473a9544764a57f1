import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { listPresets } from './presets';
import { DEFAULT_LOSS_WEIGHTS, listMethods } from './registry';
import { loadSweepSpec, validateSweepSpec } from './sweep-spec';

const schemaPath = path.resolve(import.meta.dirname, '..', 'sweep.schema.json');
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: false });
const schemaAccepts = ajv.compile(schema);

const validExamples: unknown[] = [
  { preset: 'quick' },
  {
    $schema: './sweep.schema.json',
    name: 'lambda',
    preset: 'quick',
    methods: ['baseline', 'gkd-dense'],
    seeds: 3,
  },
  { preset: 'quick', seeds: [0, 4, 9], grid: { lossWeights: { gkd: [10, 25, 50] } } },
  {
    preset: 'default',
    config: {
      studentTraining: { epochs: 1, maxSteps: 2 },
      data: { trainSize: 100 },
      lossWeights: { gkd: 5 },
    },
    grid: { lossOptions: { gkd: { k: [4, 8] } } },
  },
  { preset: 'quick', config: { data: { testFraction: 0.1, studentTrainSize: 50 } } },
];

const invalidExamples: [unknown, RegExp][] = [
  [{ preset: 'quick', metods: ['baseline'] }, /metods.*Did you mean 'methods'/s],
  [{}, /preset/],
  [{ preset: 'quick', seeds: 0 }, /seeds/],
  [{ preset: 'quick', seeds: [1, 1] }, /distinct/],
  [{ preset: 'quick', seeds: [1.5] }, /seeds\[0\].*integer/],
  [{ preset: 'quick', methods: [] }, /methods.*non-empty/],
  [{ preset: 'quick', methods: ['gkd-dens'] }, /gkd-dense/],
  [{ preset: 'quick', grid: { lossWeights: { gkd: [] } } }, /grid\.lossWeights\.gkd/],
  [{ preset: 'quick', grid: { lossWeights: { gkd: [-1] } } }, /grid\.lossWeights\.gkd\[0\].*>= 0/],
  [{ preset: 'quick', grid: { lossWeights: { gdk: [1] } } }, /Did you mean 'gkd'/],
  [{ preset: 'quick', grid: { lossWieghts: {} } }, /Did you mean 'lossWeights'/],
  [
    { preset: 'quick', config: { studentTraining: { epoch: 2 } } },
    /spec key 'config\.studentTraining\.epoch' must be a known key \(did you mean 'epochs'\?\)/,
  ],
  [
    { preset: 'quick', config: { studentTraining: { epochs: 0 } } },
    /config\.studentTraining\.epochs must be an integer >= 1, received 0/,
  ],
  [
    { preset: 'quick', config: { heatmapBatchSize: 'ten' } },
    /config\.heatmapBatchSize must be an integer >= 1, received 'ten'/,
  ],
  [{ preset: 'quick', config: { taps: 'hidden1' } }, /config\.taps must be a list of strings/],
  [
    { preset: 'quick', config: { lossWeights: { gdk: 5 } } },
    /config\.lossWeights key 'gdk' must be a loss name \(did you mean 'gkd'\?\)/,
  ],
  [{ preset: 'quick', config: { lossWeights: { gkd: -1 } } }, /config\.lossWeights\.gkd.*>= 0/],
  [{ preset: 'quick', config: { data: { tranSize: 10 } } }, /config\.data\.tranSize.*trainSize/],
  [{ preset: 'quick', config: { seeds: [1] } }, /spec key 'config\.seeds' must be a known key/],
  [{ preset: 'quick', config: [] }, /config must be a JSON object/],
  [{ preset: 'quick', name: 3 }, /name/],
];

describe('validateSweepSpec', () => {
  it('resolves the base spec: preset, config over it, methods, seeds (a count is 1..N)', () => {
    const sweep = validateSweepSpec({
      preset: 'quick',
      methods: ['baseline', 'gkd-dense'],
      seeds: 3,
      config: { studentTraining: { epochs: 1 } },
    });
    expect(sweep.name).toBe('quick');
    expect(sweep.base.methods).toEqual(['baseline', 'gkd-dense']);
    expect(sweep.base.seeds).toEqual([1, 2, 3]);
    expect(sweep.base.studentTraining.epochs).toBe(1);
    expect(sweep.base.studentTraining.batchSize).toBe(32);
    expect(sweep.grid).toEqual({ lossWeights: {}, lossOptions: {} });
  });

  it('checks the values the config sets, at their config path, before merging', () => {
    expect(() =>
      validateSweepSpec({
        preset: 'quick',
        config: { studentTraining: { optimizer: { momentum: 'high' } } },
      }),
    ).toThrow(
      "geokd-bench sweep: config.studentTraining.optimizer.momentum must be a finite number >= 0 and <= 1, received 'high'",
    );
  });

  it('merges the config as --config does: an optimiser of another type replaces the whole', () => {
    const sweep = validateSweepSpec({
      preset: 'paper-cifar10',
      config: {
        data: { kind: 'synthetic', shape: [32, 32, 3], numClasses: 10 },
        studentTraining: { optimizer: { type: 'adam', learningRate: 0.005 } },
        teacherTraining: { optimizer: { learningRate: 0.05 } },
      },
    });
    expect(sweep.base.studentTraining.optimizer).toEqual({ type: 'adam', learningRate: 0.005 });
    expect(sweep.base.teacherTraining.optimizer).toMatchObject({
      type: 'sgd',
      learningRate: 0.05,
      momentum: 0.9,
    });
  });

  it.each(invalidExamples)('rejects %j with a clear error', (example, message) => {
    expect(() => validateSweepSpec(example)).toThrow(message);
  });

  it('reads YAML as well as JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-sweep-spec-'));
    const yamlFile = path.join(dir, 'spec.yaml');
    fs.writeFileSync(
      yamlFile,
      'preset: quick\nmethods: [baseline, gkd-dense]\nseeds: [1, 2]\ngrid:\n  lossWeights:\n    gkd: [10, 25]\n',
    );
    const fromYaml = loadSweepSpec(yamlFile);
    expect(fromYaml.base.methods).toEqual(['baseline', 'gkd-dense']);
    expect(fromYaml.grid.lossWeights).toEqual({ gkd: [10, 25] });
    const jsonFile = path.join(dir, 'spec.json');
    fs.writeFileSync(jsonFile, '{ "preset": "quick", ');
    expect(() => loadSweepSpec(jsonFile)).toThrow(/a JSON file/);
    expect(() => loadSweepSpec(path.join(dir, 'missing.json'))).toThrow(/existing sweep spec/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('sweep.schema.json', () => {
  it('lists the registry methods and losses and real presets', () => {
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    const methods = (properties.methods!.items as { enum: string[] }).enum;
    expect([...methods].sort()).toEqual([...listMethods()].sort());
    const grid = properties.grid!.properties as Record<string, { properties: object }>;
    expect(Object.keys(grid.lossWeights!.properties).sort()).toEqual(
      Object.keys(DEFAULT_LOSS_WEIGHTS).sort(),
    );
    for (const preset of properties.preset!.examples as string[]) {
      expect(listPresets()).toContain(preset);
    }
  });

  it('accepts the shipped examples (JSON and YAML give the same sweep)', () => {
    const examples = path.resolve(import.meta.dirname, '..', 'examples');
    const fromJson = loadSweepSpec(path.join(examples, 'lambda-sweep.json'));
    expect(loadSweepSpec(path.join(examples, 'lambda-sweep.yaml'))).toEqual(fromJson);
    const raw = JSON.parse(fs.readFileSync(path.join(examples, 'lambda-sweep.json'), 'utf8'));
    expect(schemaAccepts(raw), JSON.stringify(schemaAccepts.errors)).toBe(true);
  });

  it.each(validExamples)('accepts what the validator accepts: %j', (example) => {
    expect(() => validateSweepSpec(example)).not.toThrow();
    expect(schemaAccepts(example), JSON.stringify(schemaAccepts.errors)).toBe(true);
  });

  it.each(invalidExamples.map(([example]) => example))(
    'rejects what the validator rejects: %j',
    (example) => {
      expect(() => validateSweepSpec(example)).toThrow();
      expect(schemaAccepts(example)).toBe(false);
    },
  );
});
