/**
 * Token bucket with continuous refill: a bucket of `maxTokens` that gains `refillRate` tokens per
 * `interval`, smoothly (after a fifth of the interval, a fifth of `refillRate` is back), and starts
 * full. Allows bursts up to `maxTokens` and an average of `refillRate` per `interval`. Upstash's
 * tokenBucket refills in whole intervals only, so a client waits a full interval for any token.
 *
 * Exact integer arithmetic: the level is kept in token × interval units, so one millisecond adds
 * exactly `refillRate` units and one token costs `interval` units.
 *
 * State: one string `"<level>:<ms of last update>"`, expiring when the bucket would be full again.
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
export const TOKEN_BUCKET_LUA = `
  local rate, interval, max_tokens = a, b, c
  local full = max_tokens * interval
  local level = full
  local l, t
  if value then
    l, t = match(value, '^(%-?%d+):(%-?%d+)$')
    if l then l, t = tonumber(l), tonumber(t) end
  end
  if l then
    local elapsed = now - t
    if elapsed < 0 then elapsed = 0 end
    level = l + elapsed * rate
    if level > full then level = full end
  end
  local need = cost * interval
  local ok = cost <= 0 or need <= level
  local after = level
  if ok then after = level - need end
  if after > full then after = full end
  local ttl = ceil((full - after) / rate)
  local retry = 0
  if not ok then
    if cost > max_tokens then
      retry = ttl
      if retry <= 0 then retry = interval end
    else
      retry = ceil((need - level) / rate)
    end
  end
  return ok, floor(after / interval), now + ttl, retry, format('%d:%d', after, now), ttl
`

/** The same step in TypeScript (the memory backend's twin). */
export const tokenBucketStep: Step = (value, now, cost, rate, interval, maxTokens) => {
  const full = maxTokens * interval
  let level = full
  const state = parseState(value, 2)
  if (state !== null) {
    const elapsed = Math.max(0, now - state[1]!)
    level = Math.min(full, state[0]! + elapsed * rate)
  }
  const need = cost * interval
  const ok = cost <= 0 || need <= level
  const after = Math.min(full, ok ? level - need : level)
  const ttl = Math.ceil((full - after) / rate)
  let retry = 0
  if (!ok) {
    // A cost above the bucket's size never fits: point at the moment the bucket is full.
    if (cost > maxTokens) retry = ttl > 0 ? ttl : interval
    else retry = Math.ceil((need - level) / rate)
  }
  return {
    ok,
    remaining: Math.floor(after / interval),
    reset: now + ttl,
    retry,
    value: [after, now],
    ttl,
  }
}

// The steps every `tokenBucket(...)` descriptor carries to the limit script (see `STEPS`).
const steps: AlgorithmSteps = { lua: TOKEN_BUCKET_LUA, twin: tokenBucketStep }

/**
 * A bucket of `maxTokens` refilled continuously at `refillRate` tokens per `interval`.
 *
 * @example
 * // bursts of up to 10, 5 per 10 s on average
 * const limiter = createLimiter({ client, limits: tokenBucket(5, '10 s', 10) })
 */
export const tokenBucket = (
  refillRate: number,
  interval: Duration,
  maxTokens: number,
  options: AlgorithmOptions = {},
): Algorithm => {
  const call = 'tokenBucket(refillRate, interval, maxTokens)'
  positiveInteger(refillRate, `${call}: refillRate`)
  const ms = parseDuration(interval, `${call}: interval`)
  positiveInteger(maxTokens, `${call}: maxTokens`)
  checkProduct(maxTokens, ms, call)
  // The policy window is the time an empty bucket takes to fill: q=maxTokens over w, whose ratio
  // is the sustained rate.
  const window = Math.ceil((maxTokens * ms) / refillRate)
  return algorithm(
    'tokenBucket',
    3,
    [refillRate, ms, maxTokens],
    `tb:${ms}`,
    maxTokens,
    window,
    options.name,
    steps,
  )
}
