/**
 * `createLimiter`: one or more limits over a Client, for many identifiers. Each decision is one
 * call of the limiter's script (EVALSHA, EVAL only after NOSCRIPT): all limits checked and consumed
 * together or not at all, on the server's clock. Around it: the in-process block cache, a
 * timeout whose outcome is the caller's explicit choice (and which also covers an unreachable or
 * erroring backend), and the block duration. Over a `waitForReplicas` client, a decision too
 * few replicas acknowledged is answered by the policy when it admits, and stands when it denies.
 */
import { evalNowOf } from '../client/settled.ts'
import type { Reply } from '../client/types.ts'
import { TimeoutError } from '../errors.ts'
import type { Algorithm } from './algorithm.ts'
import { BlockCache, type BlockEntry } from './block-cache.ts'
import { timeoutGuard } from './deadline.ts'
import { parseDuration } from './duration.ts'
import { limitKeys } from './keys.ts'
import { checkCost, checkIdentifier, checkNow, validateOptions } from './limiter-checks.ts'
import type { LimiterOptions, LimitOptions } from './limiter-options.ts'
import { type Decision, decodeDecision, type PolicyState, type RateLimitResult, RESOLVED } from './result.ts'
import { limitParams, limitScriptFor } from './script.ts'

export type { LimiterOptions, LimitOptions } from './limiter-options.ts'

export interface RemainingResult {
  readonly limit: number
  readonly remaining: number
  readonly reset: number
  readonly policy: string
  readonly policies: readonly PolicyState[]
}

export interface Limiter {
  /** Decides one call for `identifier` and consumes `cost` if every limit admits it. */
  limit(identifier: string, options?: LimitOptions): Promise<RateLimitResult>
  /** The binding limit's remaining calls and reset, consuming nothing. Rejects when the backend fails. */
  getRemaining(identifier: string, options?: Pick<LimitOptions, 'now'>): Promise<RemainingResult>
  /** Deletes exactly `identifier`'s keys (no pattern: `*` is just a character) and its cache entry. */
  reset(identifier: string): Promise<void>
  /** The configured limits, in order. */
  readonly limits: readonly Algorithm[]
}

const DENY_RETRY_MS = 1000

/** The kinds of error (their `code`) a limiter of this process has warned of: each one once. */
const warned = new Set<unknown>()

/** The default `onError`: one line per kind of failure, so an outage does not flood the log. */
const warnOnce = (error: unknown, answer: string): void => {
  const code = (error as { code?: unknown } | undefined)?.code
  if (warned.has(code)) return
  warned.add(code)
  console.warn(
    `floodgate: a limiter call failed and was answered with onTimeout '${answer}': ${(error as Error)?.message ?? error}. Later failures with the same code are not logged; pass onError to see each one.`,
  )
}

/**
 * Builds a limiter.
 *
 * @example
 * const limiter = createLimiter({
 *   client: createTcpClient({ url: 'redis://127.0.0.1:6379', connect }),
 *   limits: [slidingWindow(10, '1 s'), fixedWindow(1000, '1 d')],
 *   onTimeout: 'deny',
 * })
 * const { success, retryAfter, pending } = await limiter.limit(ip)
 * ctx.waitUntil(pending)
 * if (!success) return new Response('Too many requests', { status: 429 })
 */
export const createLimiter = (options: LimiterOptions): Limiter => {
  const limits = validateOptions(options)
  const { client, onTimeout = 'allow' } = options
  const onError = options.onError ?? ((error: unknown) => warnOnce(error, onTimeout))
  const prefix = options.prefix ?? 'floodgate'
  const timeout = options.timeout ?? 1000
  const blockFor = options.blockFor === undefined ? 0 : parseDuration(options.blockFor, 'blockFor')
  const cacheOption = options.blockCache ?? true
  const cache =
    cacheOption === false
      ? undefined
      : new BlockCache(cacheOption === true ? 10_000 : (cacheOption.max ?? 10_000))
  // The block key goes to the script only when there is a block duration to keep.
  const stateSuffixes = limits.map((l) => l.key)
  const suffixes = blockFor > 0 ? ['block', ...stateSuffixes] : stateSuffixes
  const staticPolicies: PolicyState[] = limits.map((l) => ({
    name: l.name,
    limit: l.limit,
    window: l.window,
  }))
  const first = limits[0]!
  const keysOf = limitKeys(prefix, suffixes)
  // `reset` deletes the block key too, in case an earlier configuration of this limiter set one.
  const allKeysOf = blockFor > 0 ? keysOf : limitKeys(prefix, ['block', ...stateSuffixes])

  // A client in process answers a decision before it returns (no promise until the result's),
  // and cannot hang: no deadline for its calls.
  const evaluate = evalNowOf(client)
  const guard = timeoutGuard(timeout)
  const withTimeout = <T>(call: Promise<T>): Promise<T> => (evaluate === undefined ? guard(call) : call)

  // The usual call (server clock, cost 1) sends only the limits' parameters, one frozen array
  // reused by every decision; any other adds the clock, the cost and whether to consume.
  const script = limitScriptFor(limits, blockFor)
  const paramArgs: readonly string[] = Object.freeze(limitParams(limits, blockFor))
  // With an explicit clock, keys are held at least this long in real time (see script.ts): the
  // longest any state or block of this limiter lives on its own clock.
  const horizon = String(
    Math.max(blockFor, ...limits.map((l) => (l.kind === 'slidingWindow' ? 2 * l.window : l.window))),
  )
  const argsOf = (now: string, cost: number, consume: boolean): readonly string[] =>
    now === ''
      ? cost === 1 && consume
        ? paramArgs
        : [...paramArgs, now, String(cost), consume ? '1' : '0']
      : [...paramArgs, now, String(cost), consume ? '1' : '0', horizon]
  const run = (identifier: string, now: string, cost: number, consume: boolean): Promise<Reply> =>
    client.eval(script, keysOf(identifier), argsOf(now, cost, consume))

  const fallback = (error: unknown, call: Promise<unknown>, given: number | undefined): RateLimitResult => {
    try {
      onError(error)
    } catch {} // A throwing handler must not turn a fallback into a rejection.
    const allow = onTimeout === 'allow'
    const localNow = given ?? Date.now()
    return {
      success: allow,
      limit: first.limit,
      remaining: 0,
      reset: allow ? localNow : localNow + DENY_RETRY_MS,
      retryAfter: allow ? 0 : DENY_RETRY_MS,
      reason: error instanceof TimeoutError ? 'timeout' : 'error',
      // A timed-out call may still land: let the runtime keep it alive, never let it reject.
      pending: call.then(
        () => undefined,
        () => undefined,
      ),
      policy: first.name,
      policies: staticPolicies,
      error,
    }
  }

  const fromDecision = (d: Decision, identifier: string, localNow: number | undefined): RateLimitResult => {
    const bound = d.policies[d.binding]!
    const blocked = d.blockedUntil > d.now && !d.admitted
    const retryAfter = d.admitted ? 0 : Math.max(d.retry, blocked ? d.blockedUntil - d.now : 0)
    const reset = blocked ? Math.max(bound.reset!, d.blockedUntil) : bound.reset!
    const result: RateLimitResult = {
      success: d.admitted,
      limit: bound.limit,
      remaining: blocked ? 0 : bound.remaining!,
      reset,
      retryAfter,
      pending: RESOLVED,
      policy: bound.name,
      policies: d.policies,
    }
    if (cache !== undefined) {
      if (d.admitted) {
        if (cache.size > 0) cache.delete(identifier)
      } else if (d.unitWait > 0) {
        const until = (localNow ?? Date.now()) + d.unitWait
        cache.set(identifier, { until, reset, limit: bound.limit, policy: bound.name })
      }
    }
    return result
  }

  const cached = (entry: BlockEntry, localNow: number): RateLimitResult => ({
    success: false,
    limit: entry.limit,
    remaining: 0,
    reset: entry.reset,
    retryAfter: entry.until - localNow,
    reason: 'cacheBlock',
    pending: RESOLVED,
    policy: entry.policy,
    policies: staticPolicies,
  })

  const settle = (
    reply: Reply,
    identifier: string,
    localNow: number | undefined,
    call: Promise<unknown>,
    shortfall?: Error,
  ) => {
    try {
      const decision = decodeDecision(reply, limits)
      // An admission no replica confirmed could be handed out again after a failover. A denial
      // consumed nothing and stands (its block write, if lost, only shortens the extra block).
      if (shortfall !== undefined && decision.admitted) return fallback(shortfall, call, localNow)
      return fromDecision(decision, identifier, localNow)
    } catch (error) {
      return fallback(error, call, localNow)
    }
  }

  const awaited = async (call: Promise<Reply>, identifier: string, localNow: number) => {
    let reply: Reply
    try {
      reply = await withTimeout(call)
    } catch (error) {
      // waitForReplicas: the script ran (its reply is on the error), too few replicas hold it.
      const ran = (error as { reply?: Reply } | undefined)?.reply
      if (ran === undefined) return fallback(error, call, localNow)
      return settle(ran, identifier, localNow, call, error as Error)
    }
    return settle(reply, identifier, localNow, call)
  }

  return {
    limits,

    limit(identifier, callOptions) {
      let cost: number
      let now: string
      try {
        checkIdentifier(identifier)
        cost = callOptions?.cost === undefined ? 1 : checkCost(callOptions.cost)
        now = checkNow(callOptions?.now)
      } catch (error) {
        return Promise.reject(error)
      }
      const given = callOptions?.now
      if (cache !== undefined && cost > 0 && cache.size > 0) {
        const localNow = given ?? Date.now()
        const entry = cache.get(identifier, localNow)
        if (entry !== undefined) return Promise.resolve(cached(entry, localNow))
      }
      let call: Promise<Reply>
      try {
        // A client in process answers at once: the caller's clock is read only when the answer
        // needs it (a denial for the block cache, a failure); `settle` never throws.
        if (evaluate !== undefined)
          return Promise.resolve(
            settle(
              evaluate(script, keysOf(identifier), argsOf(now, cost, true)),
              identifier,
              given,
              RESOLVED,
            ),
          )
        // Inside the try: a client that throws instead of rejecting is a failing backend too.
        call = run(identifier, now, cost, true)
      } catch (error) {
        return Promise.resolve(fallback(error, RESOLVED, given))
      }
      return awaited(call, identifier, given ?? Date.now())
    },

    async getRemaining(identifier, callOptions) {
      checkIdentifier(identifier)
      const d = decodeDecision(
        await withTimeout(run(identifier, checkNow(callOptions?.now), 0, false)),
        limits,
      )
      let bound = d.policies[0]!
      for (const p of d.policies) if (p.remaining! < bound.remaining!) bound = p
      const blocked = d.blockedUntil > d.now
      return {
        limit: bound.limit,
        remaining: blocked ? 0 : bound.remaining!,
        reset: blocked ? Math.max(bound.reset!, d.blockedUntil) : bound.reset!,
        policy: bound.name,
        policies: d.policies,
      }
    },

    async reset(identifier) {
      checkIdentifier(identifier)
      cache?.delete(identifier)
      await withTimeout(client.send(['DEL', ...allKeysOf(identifier)]))
    },
  }
}
