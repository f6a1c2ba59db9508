/**
 * Durations for limiter windows and block times: a number of milliseconds, or a string such as
 * `'10 s'`, `'1m'`, `'1.5 h'` or `'1 d'` (the same notation `@upstash/ratelimit` accepts, so its
 * users' windows carry over unchanged).
 */

/** Milliseconds (a positive integer) or `'<n> <unit>'` with unit `ms`, `s`, `m`, `h`, `d` or `w`. */
export type Duration = number | `${number} ${Unit}` | `${number}${Unit}`

type Unit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w'

const UNIT_MS: Record<Unit, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
}

const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/

const invalid = (what: string, value: unknown): TypeError =>
  new TypeError(
    `${what} must be a positive whole number of milliseconds or a string like '10 s', '1 m' or '1 d' ` +
      `(units ms, s, m, h, d, w), received ${typeof value === 'string' ? `'${value}'` : String(value)}`,
  )

/**
 * Parses a duration into whole milliseconds. Throws a `TypeError` naming the bad value.
 *
 * @example
 * parseDuration('10 s') // 10000
 * parseDuration('1.5m') // 90000
 * parseDuration(250)    // 250
 */
export const parseDuration = (value: Duration, what = 'duration'): number => {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value > 0) return value
    throw invalid(what, value)
  }
  const match = typeof value === 'string' ? PATTERN.exec(value) : null
  if (!match) throw invalid(what, value)
  const ms = Number(match[1]) * UNIT_MS[match[2] as Unit]
  // Decimals are fine as long as they land on whole milliseconds ('1.5 s' yes, '0.5 ms' no).
  if (!Number.isSafeInteger(ms) || ms <= 0) throw invalid(what, value)
  return ms
}

/** A short label for a window, used in default policy names: 10000 -> '10s', 90000 -> '90s'. */
export const formatDuration = (ms: number): string => {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`
  }
  return `${ms}ms`
}
