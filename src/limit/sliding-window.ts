/**
 * Sliding window: the weighted two-window counter. A call at offset `e` into the current window
 * counts the previous window's total weighted by the part of it still inside the trailing window,
 * `(window - e) / window`, plus the current window's total. The best default for an "N per W"
 * contract: it smooths the fixed window's boundary burst at the cost of two integers per key.
 *
 * Exact integer arithmetic, everything scaled by `window`: admit iff
 * `prev × (window − e) + (cur + cost) × window <= limit × window`. Upstash floors the weighted
 * previous count instead, which lets N+1 calls through right after a boundary; and it stores the
 * cost of a weighted call it rejects. Here neither happens.
 *
 * State: one string `"<window index>:<current count>:<previous count>"`, so one key per limit (and
 * one hash slot), expiring when both counts have left the trailing window.
 */
import {
  type Algorithm,
  type AlgorithmOptions,
  type AlgorithmSteps,
  algorithm,
  checkProduct,
  parseState,
  positiveInteger,
  type Step,
} from './algorithm.ts'
import { type Duration, parseDuration } from './duration.ts'

/**
 * The Lua step: the body of the limit script's `step<code>(value, now, cost, a, b, c)` (see
 * script.ts), which provides `floor`, `ceil`, `match`, `format` and `tonumber` as locals.
 */
export const SLIDING_WINDOW_LUA = `
  local limit, window = a, b
  local idx = floor(now / window)
  local elapsed = now - idx * window
  local cur, prev = 0, 0
  local i, c, p
  if value then
    i, c, p = match(value, '^(%-?%d+):(%-?%d+):(%-?%d+)$')
    if i then i, c, p = tonumber(i), tonumber(c), tonumber(p) end
  end
  if i == idx then
    cur = c
    prev = p
  elseif i == idx - 1 then
    prev = c
  end
  local next_cur = cur + cost
  if next_cur < 0 then next_cur = 0 end
  local capacity = limit * window - prev * (window - elapsed)
  local ok = cost <= 0 or next_cur * window <= capacity
  local after = cur
  if ok then after = next_cur end
  local remaining = floor(capacity / window) - after
  if remaining < 0 then remaining = 0 end
  local reset = now
  if after > 0 then
    reset = (idx + 2) * window
  elseif prev > 0 then
    reset = (idx + 1) * window
  end
  local retry = 0
  if not ok then
    if cost > limit then
      retry = reset - now
      if retry <= 0 then retry = window - elapsed end
    elseif next_cur <= limit then
      retry = window - floor((limit - next_cur) * window / prev) - elapsed
    else
      retry = window - elapsed + window - floor((limit - cost) * window / cur)
    end
  end
  return ok, remaining, reset, retry, format('%d:%d:%d', idx, after, prev), reset - now
`

/** The same step in TypeScript (the memory backend's twin). */
export const slidingWindowStep: Step = (value, now, cost, limit, window) => {
  const idx = Math.floor(now / window)
  const elapsed = now - idx * window
  const state = parseState(value, 3)
  let cur = 0
  let prev = 0
  if (state !== null && state[0] === idx) {
    cur = state[1]!
    prev = state[2]!
  } else if (state !== null && state[0] === idx - 1) {
    prev = state[1]!
  }
  const nextCur = Math.max(0, cur + cost)
  const capacity = limit * window - prev * (window - elapsed)
  const ok = cost <= 0 || nextCur * window <= capacity
  const after = ok ? nextCur : cur
  const reset = after > 0 ? (idx + 2) * window : prev > 0 ? (idx + 1) * window : now
  let retry = 0
  if (!ok) {
    if (cost > limit) {
      // Never fits: point at the moment the window is empty again.
      retry = reset - now
      if (retry <= 0) retry = window - elapsed
    } else if (nextCur <= limit) {
      // Fits in this window once enough of the previous window's weight has slid out.
      retry = window - Math.floor(((limit - nextCur) * window) / prev) - elapsed
    } else {
      // The current window alone is too full: wait into the next one, where it becomes `prev`.
      retry = window - elapsed + window - Math.floor(((limit - cost) * window) / cur)
    }
  }
  return {
    ok,
    remaining: Math.max(0, Math.floor(capacity / window) - after),
    reset,
    retry,
    value: [idx, after, prev],
    ttl: reset - now,
  }
}

// The steps every `slidingWindow(...)` descriptor carries to the limit script (see `STEPS`).
const steps: AlgorithmSteps = { lua: SLIDING_WINDOW_LUA, twin: slidingWindowStep }

/**
 * At most `limit` units in any trailing `window`, approximated by the weighted two-window counter.
 *
 * @example
 * const limiter = createLimiter({ client, limits: slidingWindow(10, '10 s') })
 */
export const slidingWindow = (limit: number, window: Duration, options: AlgorithmOptions = {}): Algorithm => {
  const call = 'slidingWindow(limit, window)'
  positiveInteger(limit, `${call}: limit`)
  const ms = parseDuration(window, `${call}: window`)
  checkProduct(limit, ms, call)
  return algorithm('slidingWindow', 2, [limit, ms, 0], `sw:${ms}`, limit, ms, options.name, steps)
}
