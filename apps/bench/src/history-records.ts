import type { EpochRecord } from './results-schema';

type Loose = Record<string, unknown>;

const numberAt = (record: Loose, ...paths: string[]): number | undefined => {
  for (const path of paths) {
    let value: unknown = record;
    for (const key of path.split('.')) value = (value as Loose | undefined)?.[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
};

/**
 * Per-epoch records (epoch, train loss and accuracy, test accuracy and loss) from a trainer
 * history: a list of epoch entries (`epoch-end` events) or an object holding one.
 */
export function toEpochRecords(history: unknown): EpochRecord[] {
  const list = Array.isArray(history)
    ? history
    : Array.isArray((history as Loose | undefined)?.epochs)
      ? ((history as Loose).epochs as unknown[])
      : [];
  const records: EpochRecord[] = [];
  for (const [index, entry] of list.entries()) {
    if (typeof entry !== 'object' || entry === null) continue;
    const record = entry as Loose;
    const out: EpochRecord = { epoch: numberAt(record, 'epoch') ?? index + 1 };
    const trainLoss = numberAt(record, 'trainLoss', 'train.totalLoss', 'train.loss', 'loss');
    const trainAccuracy = numberAt(record, 'trainAccuracy', 'train.accuracy');
    const testAccuracy = numberAt(record, 'testAccuracy', 'test.accuracy', 'valAccuracy');
    const testLoss = numberAt(record, 'testLoss', 'test.loss', 'valLoss');
    if (trainLoss !== undefined) out.trainLoss = trainLoss;
    if (trainAccuracy !== undefined) out.trainAccuracy = trainAccuracy;
    if (testAccuracy !== undefined) out.testAccuracy = testAccuracy;
    if (testLoss !== undefined) out.testLoss = testLoss;
    records.push(out);
  }
  return records;
}
