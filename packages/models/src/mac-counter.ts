/**
 * Counts multiply-accumulates while a forward pass runs. Layers of this package call
 * {@link recordMacs}; {@link countMacs} turns counting on for one pass.
 * @internal
 */
let activeCount: { macs: number } | undefined;

/** Adds `macs` to the running count when counting is on. @internal */
export function recordMacs(macs: number): void {
  if (activeCount !== undefined) activeCount.macs += macs;
}

/** Runs `fn` with counting on and returns the count. @internal */
export function withMacCounting(fn: () => void): number {
  const previous = activeCount;
  const count = { macs: 0 };
  activeCount = count;
  try {
    fn();
  } finally {
    activeCount = previous;
  }
  return count.macs;
}
