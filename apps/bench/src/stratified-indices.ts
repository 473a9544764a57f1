/**
 * The first `count` indices of a class-balanced round-robin over `labels`: the first example
 * of each class, then the second of each class, and so on (classes in ascending order). A
 * deterministic, stratified subset of an already shuffled split.
 */
export function stratifiedIndices(labels: ArrayLike<number>, count: number): number[] {
  const byClass = new Map<number, number[]>();
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index]!;
    const list = byClass.get(label);
    if (list === undefined) byClass.set(label, [index]);
    else list.push(index);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const result: number[] = [];
  const limit = Math.min(count, labels.length);
  for (let round = 0; result.length < limit; round++) {
    for (const label of classes) {
      const index = byClass.get(label)![round];
      if (index !== undefined && result.length < limit) result.push(index);
    }
  }
  return result;
}

/** `indices` sorted by their label (stable: ties keep their order). */
export function sortByLabel(indices: readonly number[], labels: ArrayLike<number>): number[] {
  return [...indices].sort((a, b) => labels[a]! - labels[b]! || a - b);
}
