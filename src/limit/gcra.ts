/**
 * GCRA, the generic cell rate algorithm: `rate` calls per `period` spaced evenly, with up to
 * `burst` calls at once. It keeps a single number per identifier, the theoretical arrival time
 * (TAT): the moment the identifier's allowance would be whole again. A call of cost `c` moves the
 * TAT `c × period / rate` later and is admitted iff the new TAT is at most `burst × period / rate`
 * ahead of now. Same family as the token bucket; it reads as "N per period with a burst" and
 * gives exact retry times.
 *
 * Exact integer arithmetic: times ahead of now are kept in units of 1/rate ms, where one call
 * costs exactly `period` units. The TAT is stored as whole ms plus a remainder below `rate`.
 *
 * State: one string `"<TAT ms>:<remainder>"`, expiring at the TAT.
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
export const GCRA_LUA = `
  local rate, period, burst = a, b, c
  local ahead = 0
  local tat, rem
  if value then
    tat, rem = match(value, '^(%-?%d+):(%-?%d+)$')
    if tat then tat, rem = tonumber(tat), tonumber(rem) end
  end
  if tat then
    ahead = (tat - now) * rate + rem
    if ahead < 0 then ahead = 0 end
  end
  local tolerance = burst * period
  local next_ahead = ahead + cost * period
  if next_ahead < 0 then next_ahead = 0 end
  local ok = cost <= 0 or next_ahead <= tolerance
  local after = ahead
  if ok then after = next_ahead end
  local remaining = floor((tolerance - after) / period)
  if remaining < 0 then remaining = 0 end
  local ttl = ceil(after / rate)
  local retry = 0
  if not ok then
    if cost > burst then
      retry = ttl
      if retry <= 0 then retry = period end
    else
      retry = ceil((next_ahead - tolerance) / rate)
    end
  end
  local whole = floor(after / rate)
  return ok, remaining, now + ttl, retry, format('%d:%d', now + whole, after - whole * rate), ttl
`

/** The same step in TypeScript (the memory backend's twin). */
export const gcraStep: Step = (value, now, cost, rate, period, burst) => {
  let ahead = 0
  const state = parseState(value, 2)
  if (state !== null) ahead = Math.max(0, (state[0]! - now) * rate + state[1]!)
  const tolerance = burst * period
  const nextAhead = Math.max(0, ahead + cost * period)
  const ok = cost <= 0 || nextAhead <= tolerance
  const after = ok ? nextAhead : ahead
  const ttl = Math.ceil(after / rate)
  let retry = 0
  if (!ok) {
    // A cost above the burst never fits: point at the moment the allowance is whole again.
    if (cost > burst) retry = ttl > 0 ? ttl : period
    else retry = Math.ceil((nextAhead - tolerance) / rate)
  }
  const whole = Math.floor(after / rate)
  return {
    ok,
    remaining: Math.max(0, Math.floor((tolerance - after) / period)),
    reset: now + ttl,
    retry,
    value: [now + whole, after - whole * rate],
    ttl,
  }
}

export interface GcraOptions extends AlgorithmOptions {
  /** How many calls may arrive at once from an idle state. Default: `rate`. */
  burst?: number
}

// The steps every `gcra(...)` descriptor carries to the limit script (see `STEPS`).
const steps: AlgorithmSteps = { lua: GCRA_LUA, twin: gcraStep }

/**
 * `rate` calls per `period`, evenly spaced, with bursts of up to `burst` (default `rate`).
 *
 * @example
 * // 10 per second on average, at most 20 at once
 * const limiter = createLimiter({ client, limits: gcra(10, '1 s', { burst: 20 }) })
 */
export const gcra = (rate: number, period: Duration, options: GcraOptions = {}): Algorithm => {
  const call = 'gcra(rate, period)'
  const burstCall = 'gcra(rate, period, { burst })'
  positiveInteger(rate, `${call}: rate`)
  const ms = parseDuration(period, `${call}: period`)
  const burst = positiveInteger(options.burst ?? rate, `${burstCall}: burst`)
  checkProduct(burst + 1, ms, burstCall)
  checkProduct(rate, ms, call)
  const window = Math.ceil((burst * ms) / rate)
  return algorithm('gcra', 4, [rate, ms, burst], `gcra:${ms}:${rate}`, burst, window, options.name, steps)
}
