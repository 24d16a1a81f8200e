/**
 * Runs `fn` over `items` with at most `limit` running at once, in order of start. Once `halted()`
 * is true or one call throws, nothing more starts; the calls in flight always finish before this
 * returns (nothing of a run outlives it), and the first error is rethrown after them.
 * Returns the items that never started.
 */
export async function eachBounded<T> (items: readonly T[], limit: number, fn: (item: T) => Promise<void>, halted: () => boolean = () => false): Promise<T[]> {
  let next = 0
  let failed = false
  let error: unknown
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed && !halted()) {
      const item = items[next++] as T
      try { await fn(item) } catch (err) {
        if (!failed) error = err
        failed = true
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  if (failed) throw error
  return items.slice(next)
}
