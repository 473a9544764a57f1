import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getPreset } from './presets';
import { mergeDeep, parseSeeds, resolveSpec } from './resolve-spec';

describe('resolveSpec', () => {
  it('starts from the default preset', () => {
    expect(resolveSpec({})).toEqual(getPreset('default'));
  });

  it('applies command-line overrides to both training phases', () => {
    const spec = resolveSpec({
      preset: 'quick',
      epochs: 3,
      batchSize: 16,
      seeds: [4, 5],
      methods: ['baseline', 'gkd-knn'],
    });
    expect(spec.teacherTraining.epochs).toBe(3);
    expect(spec.studentTraining.epochs).toBe(3);
    expect(spec.studentTraining.batchSize).toBe(16);
    expect(spec.seeds).toEqual([4, 5]);
    expect(spec.methods).toEqual(['baseline', 'gkd-knn']);
  });

  it('merges a partial config file over the preset, and the command line over the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-spec-'));
    const file = path.join(dir, 'spec.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ studentTraining: { epochs: 9 }, seeds: [7], lossWeights: { gkd: 10 } }),
    );
    const spec = resolveSpec({ preset: 'quick', configFile: file, seeds: [8] });
    expect(spec.studentTraining.epochs).toBe(9);
    expect(spec.studentTraining.batchSize).toBe(getPreset('quick').studentTraining.batchSize);
    expect(spec.seeds).toEqual([8]);
    expect(spec.lossWeights).toEqual({ gkd: 10 });
    fs.rmSync(dir, { recursive: true });
  });

  it('runs paper-cifar10 on synthetic CIFAR-shaped data with --data synthetic', () => {
    const spec = resolveSpec({ preset: 'paper-cifar10', data: 'synthetic' });
    expect(spec.data.kind).toBe('synthetic');
    expect(spec.data.shape).toEqual([32, 32, 3]);
    expect(spec.teacher.name).toBe('wrn-28-1');
  });

  it('rejects a config file that is not JSON, naming the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-spec-'));
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{ nope');
    expect(() => resolveSpec({ configFile: file })).toThrow(
      `geokd-bench: --config must be a JSON file, received '${file}'`,
    );
    fs.rmSync(dir, { recursive: true });
  });

  it('rejects duplicate methods and an empty method list', () => {
    expect(() => resolveSpec({ methods: ['gkd-dense', 'gkd-dense'] })).toThrow(
      '--methods must be distinct method names',
    );
    expect(() => resolveSpec({ methods: [] })).toThrow('--methods must be at least one method');
  });
});

describe('mergeDeep', () => {
  it('merges objects and replaces arrays and scalars', () => {
    expect(mergeDeep({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: 2 })).toEqual({
      a: { b: 1, c: [3] },
      d: 2,
    });
  });
});

describe('parseSeeds', () => {
  it('reads a count as seeds 1..N and a list as itself', () => {
    expect(parseSeeds('3')).toEqual([1, 2, 3]);
    expect(parseSeeds('0, 5,9')).toEqual([0, 5, 9]);
  });

  it('rejects a zero count', () => {
    expect(() => parseSeeds('0')).toThrow(
      "--seeds must be a count >= 1 or a list of seeds, received '0'",
    );
  });
});
