/** JSON with object keys sorted, so equal configs always give equal text. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const entry = (value as Record<string, unknown>)[key];
      if (entry !== undefined && typeof entry !== 'function') sorted[key] = sortKeys(entry);
    }
    return sorted;
  }
  return value;
}

/** Top-level keys whose values differ between two configurations (for mismatch messages). */
export function differingKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => stableStringify(a[key]) !== stableStringify(b[key])).sort();
}
