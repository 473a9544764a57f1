/**
 * Edit distance between two strings (case-insensitive): insertions, deletions, substitutions
 * and swaps of two neighbouring characters each cost 1 (optimal string alignment), so the
 * common typo `gdk` is one edit from `gkd`.
 */
export function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: right.length + 1 }, (_, j) => j);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = previous[j - 1]! + (left[i - 1] === right[j - 1] ? 0 : 1);
      let distance = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
      if (i > 1 && j > 1 && left[i - 1] === right[j - 2] && left[i - 2] === right[j - 1]) {
        distance = Math.min(distance, beforePrevious[j - 2]! + 1);
      }
      current.push(distance);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[right.length]!;
}

/** At most this many names are suggested at once. */
const MAX_SUGGESTIONS = 3;

/**
 * The candidates a mistyped `name` plausibly meant, best first, or `[]` when none is close.
 *
 * In order of preference: an exact match ignoring case; candidates that start with `name`
 * (`gkd` → `gkd-dense`, `gkd-knn`) or that `name` starts with (`gkd-knn-16` → `gkd-knn`);
 * candidates containing `name` (`knn` → `gkd-knn`); otherwise the candidate nearest by edit
 * distance, if at most a third of the name's characters differ (`gkd-knm` → `gkd-knn`, while
 * `gkd` does not suggest `pkt`). At most three names.
 */
export function closestNames(name: string, candidates: readonly string[]): string[] {
  const query = name.toLowerCase();
  if (query === '') return [];
  const exact = candidates.find((candidate) => candidate.toLowerCase() === query);
  if (exact !== undefined) return [exact];
  const prefixed = candidates.filter((candidate) => {
    const lower = candidate.toLowerCase();
    return (
      (query.length >= 2 && lower.startsWith(query)) ||
      (lower.length >= 3 && query.startsWith(lower))
    );
  });
  if (prefixed.length > 0) return prefixed.slice(0, MAX_SUGGESTIONS);
  const containing =
    query.length >= 3
      ? candidates.filter((candidate) => candidate.toLowerCase().includes(query))
      : [];
  if (containing.length > 0) return containing.slice(0, MAX_SUGGESTIONS);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(query, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(1, Math.floor(query.length / 3));
  return best !== undefined && bestDistance <= tolerance ? [best] : [];
}

/**
 * The candidate `name` most plausibly meant ({@link closestNames}' first), or `undefined`
 * when none is close.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  return closestNames(name, candidates)[0];
}
