/**
 * The one script every limiter decision runs: it checks all of an identifier's limits and, only if
 * every one admits the cost, consumes from all of them — one round trip, atomic, all-or-nothing.
 * It also enforces the optional block duration and reads the server clock (`TIME`) unless the
 * caller passed an explicit `now`. The same script text serves every combination of algorithms,
 * so Valkey caches exactly one SHA.
 *
 * The TypeScript twin below is the same procedure over the memory backend, built from the
 * algorithms' TypeScript steps.
 */
import { defineScript } from '../client/script.ts'
import type { Reply, ScriptContext } from '../client/types.ts'
import type { Step, StepOutcome, StoredState } from './algorithm.ts'
import { FIXED_WINDOW_LUA, fixedWindowStep } from './fixed-window.ts'
import { GCRA_LUA, gcraStep } from './gcra.ts'
import { SLIDING_WINDOW_LUA, slidingWindowStep } from './sliding-window.ts'
import { TOKEN_BUCKET_LUA, tokenBucketStep } from './token-bucket.ts'

// One function holds every algorithm's step, each a branch, and it captures no upvalue: Lua
// builds a script's closures anew on every run, and closures over shared locals cost Valkey more
// per decision than the arithmetic itself.
const indent = (lua: string): string => lua.replace(/\n(?=.)/g, '\n  ')
const STEP = `local function step(code, value, now, cost, a, b, c)
  local floor, ceil, match, format, tonumber = math.floor, math.ceil, string.match, string.format, tonumber
  if code == '2' then${indent(SLIDING_WINDOW_LUA)}  elseif code == '1' then${indent(FIXED_WINDOW_LUA)}  elseif code == '3' then${indent(TOKEN_BUCKET_LUA)}  else${indent(GCRA_LUA)}  end
end
`

/*
 * The script's contract (kept out of the Lua text, which every Worker bundle carries):
 *   ARGV, in full: [1] now in epoch ms, or '' for the server clock; [2] cost (an integer, <= 0
 *   refunds); [3] '1' to consume, '0' to only look; [4] block duration in ms ('0' for none); then
 *   four per limit: the algorithm (1 fixed window, 2 sliding window, 3 token bucket, 4 GCRA) and
 *   its three parameters.
 *   ARGV, short (one '' before the limits' four each, so a count of 1 modulo 4): the usual call,
 *   on the server clock, consuming cost 1, with no block duration. A decision then carries four
 *   arguments fewer to parse, which is about 6% of Valkey's time per decision.
 *   KEYS: the block key first when there is a block duration, then one state key per limit, all
 *   under one hash tag {prefix:identifier}.
 *   Returns { admitted, now, ms until a unit-cost call could pass, blocked until (0 if not), then
 *   per limit: fits, remaining, reset, retry after }.
 *
 * The usual arguments of the full form (the server clock, cost 1, no block) are compared as text
 * before any is parsed: `tonumber` runs C's `strtod`, about 0.1 µs of Valkey's time each.
 * The reply is built in place (`out`, pre-sized for one limit: growing a Lua table rehashes it at
 * every power of two); `keep` holds, per limit, the old value, the new one and its TTL. On a
 * denial nothing is consumed: the reply reports every limit's unchanged state, and how long until
 * a unit-cost call could pass (the in-process block cache holds the identifier that long).
 */
const MAIN = `
local floor, tonumber, call = math.floor, tonumber, redis.call
local now, cost, step_cost, block_for, ko, ao = false, 1, 1, 0, 0, -2
if #ARGV % 4 == 0 then
  now = ARGV[1] ~= '' and tonumber(ARGV[1])
  cost = ARGV[2] == '1' and 1 or tonumber(ARGV[2])
  step_cost = ARGV[3] == '1' and cost or 0
  block_for = ARGV[4] == '0' and 0 or tonumber(ARGV[4])
  ao = 1
end
if not now then
  local t = call('TIME')
  now = tonumber(t[1]) * 1000 + floor(tonumber(t[2]) / 1000)
end
local blocked = 0
if block_for > 0 then
  ko = 1
  local b = tonumber(call('GET', KEYS[1]))
  if b and b > now then blocked = b end
end
local admitted = blocked == 0 or step_cost <= 0
local n = #KEYS - ko
local out = { 0, now, 0, 0, 0, 0, 0, 0 }
local keep = { false, false, false }
for i = 1, n do
  local j, p = 1 + i * 4, ao + i * 4
  local old = call('GET', KEYS[i + ko])
  local ok, remaining, reset, retry, value, ttl =
    step(ARGV[p], old, now, step_cost, tonumber(ARGV[p + 1]), tonumber(ARGV[p + 2]), tonumber(ARGV[p + 3]))
  if ok then out[j] = 1 else out[j] = 0 admitted = false end
  out[j + 1] = remaining
  out[j + 2] = reset
  out[j + 3] = retry
  keep[i * 3 - 2] = old
  keep[i * 3 - 1] = value
  keep[i * 3] = ttl
end
if admitted then
  out[1] = 1
  if step_cost ~= 0 then
    for i = 1, n do
      if keep[i * 3] > 0 then
        call('SET', KEYS[i + ko], keep[i * 3 - 1], 'PX', keep[i * 3])
      elseif keep[i * 3 - 2] then
        call('DEL', KEYS[i + ko])
      end
    end
  end
else
  local unit = 0
  if blocked > 0 then unit = blocked - now end
  for i = 1, n do
    local j, p = 1 + i * 4, ao + i * 4
    local code = ARGV[p]
    local a, b, c = tonumber(ARGV[p + 1]), tonumber(ARGV[p + 2]), tonumber(ARGV[p + 3])
    local old = keep[i * 3 - 2]
    if out[j] == 1 then
      local _, remaining, reset = step(code, old, now, 0, a, b, c)
      out[j + 1] = remaining
      out[j + 2] = reset
    end
    if out[j + 1] == 0 then
      local wait = out[j + 3]
      if step_cost ~= 1 then
        local ok1, _, _, retry1 = step(code, old, now, 1, a, b, c)
        wait = 0
        if not ok1 then wait = retry1 end
      end
      if wait > unit then unit = wait end
    end
  end
  if block_for > 0 and blocked == 0 then
    blocked = now + block_for
    call('SET', KEYS[1], blocked, 'PX', block_for)
    if block_for > unit then unit = block_for end
  end
  out[3] = unit
end
out[4] = blocked
return out
`

const STEPS: readonly Step[] = [fixedWindowStep, slidingWindowStep, tokenBucketStep, gcraStep]

const stepOf = (code: string | undefined): Step => {
  const step = STEPS[Number(code) - 1]
  if (step === undefined) throw new TypeError(`unknown limiter algorithm code ${code}`)
  return step
}

/** One limit's step and its three parameters, as read from `argv`. */
interface Configured {
  step: Step
  a: number
  b: number
  c: number
}

/** `argv` read into numbers: the call's `now` (NaN for the server clock), cost, and limits. */
interface Call {
  now: number
  cost: number
  consume: boolean
  blockFor: number
  limits: Configured[]
}

const read = (argv: readonly string[]): Call => {
  // The short form (a count of 1 modulo 4): one '' and the limits, for the usual call.
  const full = argv.length % 4 === 0
  const limits: Configured[] = []
  for (let j = full ? 4 : 1; j < argv.length; j += 4) {
    limits.push({
      step: stepOf(argv[j]),
      a: Number(argv[j + 1]),
      b: Number(argv[j + 2]),
      c: Number(argv[j + 3]),
    })
  }
  if (!full) return { now: Number.NaN, cost: 1, consume: true, blockFor: 0, limits }
  return {
    // As the Lua's `tonumber`: anything but a number means the server clock.
    now: argv[0] === '' ? Number.NaN : Number(argv[0]),
    cost: Number(argv[1]),
    consume: argv[2] === '1',
    blockFor: Number(argv[3]),
    limits,
  }
}

// A limiter passes one frozen `argv` on every usual call (server clock, cost 1): it is read once.
let lastArgv: readonly string[] | undefined
let lastCall: Call | undefined
const callOf = (argv: readonly string[]): Call => {
  if (argv === lastArgv) return lastCall!
  const call = read(argv)
  if (Object.isFrozen(argv)) {
    lastArgv = argv
    lastCall = call
  }
  return call
}

const OLDS: StoredState[] = []
const OUTS: StepOutcome[] = []

/** The twin: the procedure of `MAIN` in TypeScript, for the memory backend. */
const limitTwin = (redis: ScriptContext, keys: readonly string[], argv: readonly string[]): Reply => {
  const call = callOf(argv)
  const { cost, consume, blockFor, limits } = call
  const now = Number.isNaN(call.now) ? Math.floor(redis.now()) : call.now
  // The block key comes first when there is a block duration.
  const ko = blockFor > 0 ? 1 : 0
  let blocked = 0
  if (blockFor > 0) {
    const b = Number(redis.get(keys[0]!) ?? Number.NaN)
    if (b > now) blocked = b
  }
  const stepCost = consume ? cost : 0
  let admitted = blocked === 0 || stepCost <= 0
  const n = limits.length
  // The reply is filled in place, as the Lua fills `out`; a literal for one limit (no holes).
  const reply: number[] = n === 1 ? [0, 0, 0, 0, 0, 0, 0, 0] : new Array<number>(4 + 4 * n).fill(0)
  // Scratch for this run only (a twin runs to the end before the next starts).
  const olds = OLDS
  const outs = OUTS
  for (let i = 0; i < n; i++) {
    const { step, a, b, c } = limits[i]!
    const old = redis.getIntegers(keys[i + ko]!)
    const out = step(old, now, stepCost, a, b, c)
    if (!out.ok) admitted = false
    olds[i] = old
    outs[i] = out
    const j = 4 + i * 4
    reply[j] = out.ok ? 1 : 0
    reply[j + 1] = out.remaining
    reply[j + 2] = out.reset
    reply[j + 3] = out.retry
  }
  reply[0] = admitted ? 1 : 0
  reply[1] = now
  let unit = 0
  if (admitted) {
    if (stepCost !== 0) {
      for (let i = 0; i < n; i++) {
        const out = outs[i]!
        if (out.ttl > 0) redis.setIntegersPx(keys[i + ko]!, out.value, out.ttl)
        else if (olds[i] !== null) redis.call('DEL', keys[i + ko]!)
      }
    }
  } else {
    // Nothing is consumed. Report every limit's unchanged state, and how long until a unit-cost
    // call could pass (the in-process block cache holds the identifier that long).
    if (blocked > 0) unit = blocked - now
    for (let i = 0; i < n; i++) {
      const { step, a, b, c } = limits[i]!
      const j = 4 + i * 4
      if (outs[i]!.ok) {
        const unchanged = step(olds[i]!, now, 0, a, b, c)
        reply[j + 1] = unchanged.remaining
        reply[j + 2] = unchanged.reset
      }
      if (reply[j + 1] === 0) {
        let wait = reply[j + 3]!
        if (stepCost !== 1) {
          const unitStep = step(olds[i]!, now, 1, a, b, c)
          wait = unitStep.ok ? 0 : unitStep.retry
        }
        if (wait > unit) unit = wait
      }
    }
    if (blockFor > 0 && blocked === 0) {
      blocked = now + blockFor
      redis.setPx(keys[0]!, blocked, blockFor)
      if (blockFor > unit) unit = blockFor
    }
  }
  reply[2] = unit
  reply[3] = blocked
  return reply
}

/** The limit script: Lua for Valkey, its twin for the memory backend. */
export const limitScript = defineScript({
  name: 'floodgate.limit',
  lua: STEP + MAIN,
  twin: limitTwin,
})
