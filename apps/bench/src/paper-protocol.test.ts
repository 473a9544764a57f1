import { describe, expect, it } from 'vitest';
import { resolvedMethodTerms } from './method-terms';
import { main } from './program';
import { resolveSpec } from './resolve-spec';

/**
 * The paper-cifar10 preset against the seed's protocol (issue 13), field by field, as the
 * smoke command `--data synthetic --epochs 1 --max-steps 2` resolves it and `--dry-run` prints
 * it: only the data kind, the epochs and the step limit may differ from the full protocol.
 */
describe('paper-cifar10 preset = the seed protocol', () => {
  const full = resolveSpec({ preset: 'paper-cifar10', dataDir: '/' });

  it('has the seed data, models, optimiser, schedule, taps, methods and seeds', () => {
    expect(full.data).toEqual({
      kind: 'cifar10',
      dataDir: '/',
      augment: { padding: 4, horizontalFlip: true },
      normalize: true,
      seed: 0,
    });
    expect(full.teacher).toEqual({ name: 'wrn-28-1', options: { numClasses: 10 } });
    expect(full.student).toEqual({ name: 'wrn-28-0.5', options: { numClasses: 10 } });
    for (const training of [full.teacherTraining, full.studentTraining]) {
      expect(training.batchSize).toBe(128);
      expect(training.epochs).toBe(200);
      expect(training.maxSteps).toBeUndefined();
      // torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
      expect(training.optimizer).toEqual({
        type: 'sgd',
        learningRate: 0.1,
        momentum: 0.9,
        nesterov: false,
        weightDecay: 5e-4,
        weightDecayMode: 'l2',
        weightDecayParameters: 'all',
      });
      expect(training.schedule).toEqual({
        type: 'multi-step',
        milestones: [0.3, 0.6, 0.8],
        gamma: 0.2,
        warmupEpochs: 0,
      });
      const milestones = (training.schedule.milestones as number[]).map((m) =>
        Math.round(m * training.epochs),
      );
      expect(milestones).toEqual([60, 120, 160]);
    }
    expect(full.taps).toEqual(['stage1', 'stage2', 'pool']);
    expect(full.methods).toEqual([
      'baseline',
      'hinton',
      'rkd-distance',
      'gkd-dense',
      'gkd-knn',
      'gkd-intra',
    ]);
    expect(full.seeds).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(full.primaryComparisons).toEqual([
      { method: 'gkd-dense', reference: 'baseline' },
      { method: 'gkd-dense', reference: 'rkd-distance' },
      { method: 'gkd-dense', reference: 'hinton' },
    ]);
  });

  it('gives GKD dense k = batch = 128, p = 1, λ = 25 on the three taps, and RKD-D λ = 25', () => {
    const terms = resolvedMethodTerms(full);
    const taps = ['stage1', 'stage2', 'pool'];
    expect(terms.baseline).toEqual([]);
    expect(terms['gkd-dense']).toEqual([
      { loss: 'gkd', weight: 25, taps, options: { k: 128, power: 1 } },
    ]);
    expect(terms['rkd-distance']).toEqual([
      { loss: 'rkd-distance', weight: 25, taps, options: {} },
    ]);
    expect(terms.hinton).toEqual([{ loss: 'hinton', weight: 1, options: { temperature: 4 } }]);
    expect(terms['gkd-knn']![0]!.options).toEqual({ k: 32 });
    expect(terms['gkd-intra']![0]!.options).toEqual({ classes: { mode: 'intra' } });
  });

  it('prints the same protocol with --dry-run for the smoke command, only data, epochs and steps changed', async () => {
    let stdout = '';
    const code = await main(
      [
        '--preset',
        'paper-cifar10',
        '--data',
        'synthetic',
        '--epochs',
        '1',
        '--max-steps',
        '2',
        '--dry-run',
      ],
      { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => {} } },
    );
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as {
      spec: typeof full;
      methodTerms: Record<string, unknown>;
    };
    const { spec } = printed;
    expect(spec.data.kind).toBe('synthetic');
    expect(spec.data.shape).toEqual([32, 32, 3]);
    expect(spec.teacherTraining.epochs).toBe(1);
    expect(spec.studentTraining.maxSteps).toBe(2);
    const strip = (s: typeof full) => ({
      ...s,
      data: { augment: s.data.augment, normalize: s.data.normalize },
      teacherTraining: { ...s.teacherTraining, epochs: 0, maxSteps: 0 },
      studentTraining: { ...s.studentTraining, epochs: 0, maxSteps: 0 },
    });
    expect(strip(spec)).toEqual(strip(full));
    expect(printed.methodTerms).toEqual(resolvedMethodTerms(full));
  });
});
