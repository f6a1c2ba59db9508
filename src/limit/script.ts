/**
 * The script a limiter's decisions run: it checks all of an identifier's limits and, only if
 * every one admits the cost, consumes from all of them — one round trip, atomic, all-or-nothing.
 * It also enforces the optional block duration and reads the server clock (`TIME`) unless the
 * caller passed an explicit `now`.
 *
 * Each shape of limiter (its algorithms in order, with a block duration or not) gets a script of
 * its own, written when the first such limiter is built: only the algorithms it uses are in it,
 * one step function each, called by code unrolled over its limits, which reads each parameter
 * from a fixed ARGV slot. 6.8 µs per script call against 8.6 µs for one script serving every
 * combination through loops and a dispatch on the algorithm (medians of 9 alternating rounds of
 * 100,000 calls each, `INFO commandstats`). The parameters stay arguments, not constants in the Lua: an app
 * with a limit per customer would otherwise fill Valkey's script cache, which never evicts.
 * Valkey caches one SHA per shape, a handful in an app.
 *
 * The TypeScript twin is the same procedure over the memory backend, built from the algorithms'
 * TypeScript steps. Both come from the limits given (each descriptor carries its steps, see
 * `STEPS`), never from a table of every algorithm: a bundle carries only the algorithms it uses.
 */
import { defineScript } from '../client/script.ts'
import type { Reply, Script, ScriptContext, ScriptTwin, TwinContext } from '../client/types.ts'
import { type Algorithm, STEPS, type Step, type StepOutcome, type StoredState } from './algorithm.ts'

/** The most limits one limiter checks together (the script keeps eight Lua locals per limit). */
export const MAX_LIMITS = 16

/*
 * The script's contract (kept out of the Lua text, which every Worker bundle carries):
 *   ARGV: each limit's parameters (two for fixed and sliding windows, three for token bucket and
 *   GCRA), then the block duration in ms when the shape has one: all a usual call sends (the
 *   server clock, consuming cost 1). Any other call adds the clock (epoch ms, or '' for the
 *   server's), the cost (an integer, <= 0 refunds) and '1' to consume or '0' to only look;
 *   compared as text before any is parsed, since `tonumber` runs C's `strtod`. With an explicit
 *   clock, a fifth: the limiter's horizon (ms), the least TTL any key it writes gets. A TTL from
 *   a simulated clock would run down on the real one and drop state the simulation still needs;
 *   held for the horizon, every key outlives any sequence of calls shorter than it in real time,
 *   and since states carry their own window or timestamp, a longer-lived key never changes a
 *   decision.
 *   KEYS: the block key first when there is a block duration, then one state key per limit, all
 *   under one hash tag {prefix:identifier}.
 *   Returns { admitted, now, ms until a unit-cost call could pass, blocked until (0 if not), then
 *   per limit: fits, remaining, reset, retry after }.
 * On a denial nothing is consumed: the reply reports every limit's unchanged state, and how long
 * until a unit-cost call could pass (the in-process block cache holds the identifier that long).
 * Step functions capture no upvalue: Lua builds a script's closures anew on every run, and
 * closures over shared locals cost Valkey more per decision than the arithmetic itself.
 */

/** The parameters each algorithm's step takes from ARGV (fixed and sliding window: no third). */
const arity = (code: Algorithm['code']): number => (code <= 2 ? 2 : 3)

/** The arguments every call of a limiter sends first: its limits' parameters, then `blockFor`. */
export const limitParams = (limits: readonly Algorithm[], blockFor: number): string[] => {
  const params = limits.flatMap((l) => l.params.slice(0, arity(l.code)).map(String))
  if (blockFor > 0) params.push(String(blockFor))
  return params
}

/**
 * The Lua of the script for `limits` (only their algorithms count, in order), with a block duration
 * or not. Each limit `i` gets its own locals; for a sliding window first in line they read
 *   local x1, y1, z1 = tonumber(ARGV[1]), tonumber(ARGV[2]), 0
 *   local o1 = call('GET', KEYS[1])
 *   local k1, r1, s1, w1, v1, t1 = step2(o1, now, step_cost, x1, y1, z1)
 * (x, y, z its parameters; o the stored state; k whether the cost fits; r, s, w the remaining,
 * reset and retry after; v, t the state to store and its TTL). Ten locals per limit, within Lua's
 * 200 per function at `MAX_LIMITS`.
 */
const limitLua = (limits: readonly Algorithm[], block: boolean): string => {
  const codes = limits.map((l) => l.code)
  // ARGV: the limits' parameters (and the block duration), `count` of them, then for calls other
  // than the usual one: the clock, the cost and whether to consume.
  const count = codes.reduce((n, code) => n + arity(code), 0) + (block ? 1 : 0)
  const ko = block ? 1 : 0
  let p = 0
  const params = codes.map((code) =>
    Array.from({ length: 3 }, (_, j) => (j < arity(code) ? `tonumber(ARGV[${++p}])` : '0')),
  )
  const key = (i: number) => `KEYS[${i + ko}]`
  const step = (i: number, cost: string) => `step${codes[i - 1]}(o${i}, now, ${cost}, x${i}, y${i}, z${i})`
  const each = (lua: (i: number) => string) => codes.map((_, n) => lua(n + 1)).join('')
  return (
    // One step function per algorithm, in the order of its first limit.
    [...new Map(limits.map((l) => [l.code, l[STEPS].lua]))]
      .map(
        ([code, lua]) => `local function step${code}(value, now, cost, a, b, c)
  local floor, ceil, match, format, tonumber = math.floor, math.ceil, string.match, string.format, tonumber${lua}end
`,
      )
      .join('') +
    `local floor, tonumber, call = math.floor, tonumber, redis.call
local now, cost, step_cost, hold = false, 1, 1, 0
if #ARGV > ${count} then
  now = ARGV[${count + 1}] ~= '' and tonumber(ARGV[${count + 1}])
  cost = ARGV[${count + 2}] == '1' and 1 or tonumber(ARGV[${count + 2}])
  step_cost = ARGV[${count + 3}] == '1' and cost or 0
  if now then hold = tonumber(ARGV[${count + 4}]) or 0 end
end
if not now then
  local t = call('TIME')
  now = tonumber(t[1]) * 1000 + floor(tonumber(t[2]) / 1000)
end
local blocked = 0
` +
    (block
      ? `local block_for = tonumber(ARGV[${count}])
local b = tonumber(call('GET', KEYS[1]))
if b and b > now then blocked = b end
`
      : '') +
    'local admitted = blocked == 0 or step_cost <= 0\n' +
    each(
      (i) => `local x${i}, y${i}, z${i} = ${params[i - 1]!.join(', ')}
local o${i} = call('GET', ${key(i)})
local k${i}, r${i}, s${i}, w${i}, v${i}, t${i} = ${step(i, 'step_cost')}
if not k${i} then admitted = false end
`,
    ) +
    `if admitted then
  if step_cost ~= 0 then
${each((i) => `    if t${i} > 0 then call('SET', ${key(i)}, v${i}, 'PX', t${i} > hold and t${i} or hold) elseif o${i} then call('DEL', ${key(i)}) end\n`)}  end
  return { 1, now, 0, blocked${each((i) => `, 1, r${i}, s${i}, w${i}`)} }
end
local unit = 0
if blocked > 0 then unit = blocked - now end
` +
    each(
      (i) => `if k${i} then
  local _
  _, r${i}, s${i} = ${step(i, '0')}
end
if r${i} == 0 then
  local wait = w${i}
  if step_cost ~= 1 then
    local k, _, _, w = ${step(i, '1')}
    wait = 0
    if not k then wait = w end
  end
  if wait > unit then unit = wait end
end
`,
    ) +
    (block
      ? `if blocked == 0 then
  blocked = now + block_for
  call('SET', KEYS[1], blocked, 'PX', block_for > hold and block_for or hold)
  if block_for > unit then unit = block_for end
end
`
      : '') +
    `return { 0, now, unit, blocked${each((i) => `, k${i} and 1 or 0, r${i}, s${i}, w${i}`)} }
`
  )
}

const OLDS: StoredState[] = []
const OUTS: StepOutcome[] = []

/** One limit as the twin reads it from `argv`: its step and its three parameters. */
interface Configured {
  step: Step
  a: number
  b: number
  c: number
}

/** The twin: the procedure of the Lua above in TypeScript, for the memory backend. */
const limitTwin = (algorithms: readonly Algorithm[], block: boolean): ScriptTwin => {
  const codes = algorithms.map((l) => l.code)
  const twins = algorithms.map((l) => l[STEPS].twin)
  const count = codes.reduce((n, code) => n + arity(code), 0) + (block ? 1 : 0)
  // A limiter sends one frozen array on every usual call: its parameters are read once.
  let lastArgv: readonly string[] | undefined
  let lastLimits: Configured[] = []
  const read = (argv: readonly string[]): Configured[] => {
    if (argv === lastArgv) return lastLimits
    let p = 0
    const limits = codes.map((code, i) => {
      const x = [0, 0, 0]
      for (let j = 0; j < arity(code); j++) x[j] = Number(argv[p++])
      return { step: twins[i]!, a: x[0]!, b: x[1]!, c: x[2]! }
    })
    if (Object.isFrozen(argv)) {
      lastArgv = argv
      lastLimits = limits
    }
    return limits
  }
  return (context: ScriptContext, keys: readonly string[], argv: readonly string[]): Reply => {
    // Twins run on the memory backend, which hands every twin its integer tuples too.
    const redis = context as TwinContext
    const limits = read(argv)
    const n = limits.length
    const blockFor = block ? Number(argv[count - 1]) : 0
    const full = argv.length > count
    // As the Lua's `tonumber`: anything but a number means the server clock.
    const given = full && argv[count] !== '' ? Number(argv[count]) : Number.NaN
    const now = Number.isNaN(given) ? Math.floor(redis.now()) : given
    const cost = full ? Number(argv[count + 1]) : 1
    const stepCost = !full || argv[count + 2] === '1' ? cost : 0
    const hold = Number.isNaN(given) ? 0 : Number(argv[count + 3] ?? 0) || 0
    // The block key comes first when there is a block duration.
    const ko = block ? 1 : 0
    let blocked = 0
    if (block) {
      const b = Number(redis.get(keys[0]!) ?? Number.NaN)
      if (b > now) blocked = b
    }
    let admitted = blocked === 0 || stepCost <= 0
    // The reply is filled in place; a literal for one limit (no holes).
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
          if (out.ttl > 0) redis.setIntegersPx(keys[i + ko]!, out.value, Math.max(out.ttl, hold))
          else if (olds[i] !== null) redis.call('DEL', keys[i + ko]!)
        }
      }
    } else {
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
      if (block && blocked === 0) {
        blocked = now + blockFor
        redis.setPx(keys[0]!, blocked, Math.max(blockFor, hold))
        if (blockFor > unit) unit = blockFor
      }
    }
    reply[2] = unit
    reply[3] = blocked
    return reply
  }
}

// Limiters of one shape (the same algorithms in the same order, with or without a block
// duration) share one script object, so its SHA is computed once; the shapes an app uses are few.
// Bounded all the same: past it, a limiter of a new shape builds its own.
const built = new Map<string, Script>()
const MAX_BUILT = 256

/**
 * The limit script for limits of these algorithms, in this order (at most `MAX_LIMITS`), with a
 * block duration or not. Each call sends `limitParams(limits, blockFor)` first.
 */
export const limitScriptFor = (limits: readonly Algorithm[], blockFor: number): Script => {
  const codes = limits.map((l) => l.code)
  const block = blockFor > 0
  const id = `${codes.join('')}${block ? '+block' : ''}`
  let script = built.get(id)
  if (script === undefined) {
    script = defineScript({
      name: 'floodgate.limit',
      lua: limitLua(limits, block),
      twin: limitTwin(limits, block),
    })
    if (built.size < MAX_BUILT) built.set(id, script)
  }
  return script
}
