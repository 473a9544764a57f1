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
  [{ preset: 'quick', config: { studentTraining: { epoch: 2 } } }, /Did you mean 'epochs'/],
  [{ preset: 'quick', config: { studentTraining: { epochs: 0 } } }, /epochs/],
  [{ preset: 'quick', config: { heatmapBatchSize: 'ten' } }, /heatmapBatchSize/],
  [{ preset: 'quick', config: { taps: 'hidden1' } }, /config\.taps/],
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
