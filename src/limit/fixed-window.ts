/**
 * Fixed window: at most `limit` units per window, windows aligned to the epoch (`floor(now /
 * window)`), like `@upstash/ratelimit`'s fixedWindow. The cheapest algorithm; its weakness is the
 * boundary, where up to 2 × limit calls can pass within a short time. A rejected call consumes
 * nothing (Upstash's counts it, so a client hammering a closed window stays locked out longer and
 * `getRemaining` lies).
 *
 * State: one string `"<window index>:<count>"`, expiring at the window's end.
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
export const FIXED_WINDOW_LUA = `
  local limit, window = a, b
  local idx = floor(now / window)
  local window_end = (idx + 1) * window
  local count = 0
  local i, n
  if value then
    i, n = match(value, '^(%-?%d+):(%-?%d+)$')
    if i then i, n = tonumber(i), tonumber(n) end
  end
  if i == idx then count = n end
  local next_count = count + cost
  if next_count < 0 then next_count = 0 end
  local ok = cost <= 0 or next_count <= limit
  local after = count
  if ok then after = next_count end
  local remaining = limit - after
  if remaining < 0 then remaining = 0 end
  local reset, ttl, retry = now, 0, 0
  if after > 0 then
    reset = window_end
    ttl = window_end - now
  end
  if not ok then retry = window_end - now end
  return ok, remaining, reset, retry, format('%d:%d', idx, after), ttl
`

/** The same step in TypeScript (the memory backend's twin). */
export const fixedWindowStep: Step = (value, now, cost, limit, window) => {
  const idx = Math.floor(now / window)
  const windowEnd = (idx + 1) * window
  const state = parseState(value, 2)
  const count = state !== null && state[0] === idx ? state[1]! : 0
  const nextCount = Math.max(0, count + cost)
  const ok = cost <= 0 || nextCount <= limit
  const after = ok ? nextCount : count
  return {
    ok,
    remaining: Math.max(0, limit - after),
    reset: after > 0 ? windowEnd : now,
    retry: ok ? 0 : windowEnd - now,
    value: [idx, after],
    ttl: after > 0 ? windowEnd - now : 0,
  }
}

// The steps every `fixedWindow(...)` descriptor carries to the limit script (see `STEPS`).
const steps: AlgorithmSteps = { lua: FIXED_WINDOW_LUA, twin: fixedWindowStep }

/**
 * At most `limit` units per fixed window of `window`.
 *
 * @example
 * const limiter = createLimiter({ client, limits: fixedWindow(100, '1 m') })
 */
export const fixedWindow = (limit: number, window: Duration, options: AlgorithmOptions = {}): Algorithm => {
  const call = 'fixedWindow(limit, window)'
  positiveInteger(limit, `${call}: limit`)
  const ms = parseDuration(window, `${call}: window`)
  checkProduct(limit, ms, call)
  return algorithm('fixedWindow', 1, [limit, ms, 0], `fw:${ms}`, limit, ms, options.name, steps)
}
