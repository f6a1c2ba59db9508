/** The statistics every benchmark prints: medians of rounds and latency percentiles. */

/** The median of `values` (the mean of the middle two for an even count); `values` is not changed. */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The `p` quantile (0..1) of already sorted samples, nearest rank. */
export const percentile = (sorted: ArrayLike<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
