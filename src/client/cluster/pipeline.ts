/**
 * Pipelines on a cluster: the caller's commands are split by the node serving each slot, every
 * node gets its share as one pipeline (all nodes at once), and the replies are put back in the
 * caller's order. A `MULTI ... EXEC` run stays together on one node, and only when all its keys
 * share a slot. Entries that come back redirected (MOVED, ASK) or refused for a passing reason
 * (TRYAGAIN, CLUSTERDOWN, ...) are retried one by one, in order, the way a single command is.
 *
 * A `WAIT` (or `WAITAOF`) right after a keyed command (or a `MULTI ... EXEC` run) has no key of
 * its own but is about that command's write: it travels with it as one unit, to the same node, and
 * is re-sent with it when the command is redirected or retried, so its count of replica
 * acknowledgements always speaks for the node that ran the write. `[EVALSHA ..., WAIT 1 100]` is
 * how the limiter's `waitForReplicas` makes a decision durable in one round trip.
 */
import { ReplyError } from '../../errors.ts'
import { delay } from '../deadlines.ts'
import type { Command, Reply, SendOptions } from '../types.ts'
import { isBroadcast } from './broadcast.ts'
import { commandName } from './keys.ts'
import type { ClusterNodes } from './nodes.ts'
import { again, backoff, redirection, retryable, type Target } from './retry.ts'
import { crossSlot, type Route, type Router } from './route.ts'

export interface PipelineContext {
  nodes: ClusterNodes
  router: Router
  pick(route: Route): Target
  execute(
    command: Command,
    route: Route,
    options?: SendOptions,
    prior?: { target: Target; error: unknown },
  ): Promise<Reply>
  send(command: Command, options?: SendOptions): Promise<Reply>
  retryFor: number
}

/** A run of commands that must leave together: one command or a MULTI ... EXEC, and a WAIT after it. */
interface Unit {
  from: number
  to: number
  route: Route
}

const isWait = (command: Command | undefined): boolean => {
  if (command === undefined) return false
  const name = commandName(command)
  return name === 'WAIT' || name === 'WAITAOF'
}

const unitsOf = (
  commands: readonly Command[],
  routes: Route[],
  results: Array<Reply | ReplyError | undefined>,
) => {
  const units: Unit[] = []
  for (let i = 0; i < commands.length; i++) {
    if (commandName(commands[i]!) !== 'MULTI') {
      const to = routes[i]!.slot !== undefined && isWait(commands[i + 1]) ? i + 1 : i
      units.push({ from: i, to, route: routes[i]! })
      i = to
      continue
    }
    let to = i + 1
    while (to < commands.length && !['EXEC', 'DISCARD'].includes(commandName(commands[to]!))) to++
    to = Math.min(to, commands.length - 1)
    let slot: number | undefined
    let crossed = false
    for (let j = i; j <= to; j++) {
      const next = routes[j]!.slot
      const result = results[j]
      if (result instanceof ReplyError && result.code === 'CROSSSLOT') crossed = true
      else if (next !== undefined && slot !== undefined && next !== slot) crossed = true
      else slot ??= next
    }
    if (crossed) {
      const error = crossSlot('MULTI')
      for (let j = i; j <= to; j++) results[j] = error
    }
    if (!crossed && slot !== undefined && isWait(commands[to + 1])) to++
    units.push({ from: i, to, route: { slot, readonly: false } })
    i = to
  }
  return units
}

/** Runs `commands` across the cluster; see the module comment. */
export const pipelineAcross = async (
  commands: readonly Command[],
  ctx: PipelineContext,
  options?: SendOptions,
): Promise<Array<Reply | ReplyError>> => {
  const results: Array<Reply | ReplyError | undefined> = new Array(commands.length)
  if (commands.some((command) => isBroadcast(command))) {
    // Rare (FLUSHALL in a batch): keep the caller's order by running the batch one at a time.
    for (let i = 0; i < commands.length; i++) {
      results[i] = await ctx.send(commands[i]!, options).catch((error) => {
        if (error instanceof ReplyError) return error
        throw error
      })
    }
    return results as Array<Reply | ReplyError>
  }
  const routes: Route[] = new Array(commands.length)
  for (let i = 0; i < commands.length; i++) {
    try {
      const route = ctx.router.route(commands[i]!)
      routes[i] = route instanceof Promise ? await route : route
    } catch (error) {
      if (!(error instanceof ReplyError)) throw error
      results[i] = error
      routes[i] = { slot: undefined, readonly: false }
    }
  }
  const units = unitsOf(commands, routes, results).filter((unit) => results[unit.from] === undefined)
  const buckets = new Map<string, { target: Target; units: Unit[] }>()
  const pending = new Set<Unit>()
  const sentTo = new Map<Unit, Target>()
  for (const unit of units) {
    let target: Target
    try {
      target = ctx.pick(unit.route)
    } catch {
      pending.add(unit) // no node serves the slot right now: retried below
      continue
    }
    const id = `${target.readonly ? 'ro:' : ''}${target.node.key}`
    const bucket = buckets.get(id) ?? { target, units: [] }
    bucket.units.push(unit)
    buckets.set(id, bucket)
    sentTo.set(unit, target)
  }
  await Promise.all(
    [...buckets.values()].map(async ({ target, units: share }) => {
      const batch = share.flatMap((unit) => commands.slice(unit.from, unit.to + 1))
      let replies: Array<Reply | ReplyError>
      try {
        replies = await ctx.nodes.client(target.node, target.readonly).pipeline(batch, options)
      } catch (error) {
        if (!share.every((unit) => retryable(error, unit.route.readonly))) throw error
        for (const unit of share) pending.add(unit)
        return
      }
      let k = 0
      for (const unit of share) for (let i = unit.from; i <= unit.to; i++) results[i] = replies[k++]
    }),
  )
  for (const unit of units) {
    if (!pending.has(unit) && !results.slice(unit.from, unit.to + 1).some(again)) continue
    if (unit.from === unit.to) {
      const result = results[unit.from]
      const target = sentTo.get(unit)
      const prior = target && result instanceof ReplyError ? { target, error: result } : undefined
      results[unit.from] = await ctx
        .execute(commands[unit.from]!, unit.route, options, prior)
        .catch((error) => {
          if (error instanceof ReplyError) return error
          throw error
        })
    } else {
      await retryGroup(commands, unit, results, ctx, sentTo.get(unit), options)
    }
  }
  return results as Array<Reply | ReplyError>
}

/**
 * Re-sends a unit of several commands whole until it is not redirected: behind `ASKING` on the
 * importing node after an ASK, otherwise on the slot's owner after the map is re-read.
 */
const retryGroup = async (
  commands: readonly Command[],
  unit: Unit,
  results: Array<Reply | ReplyError | undefined>,
  ctx: PipelineContext,
  sentTo: Target | undefined,
  options?: SendOptions,
) => {
  const group = commands.slice(unit.from, unit.to + 1)
  const deadline = Date.now() + (options?.timeout ?? ctx.retryFor)
  const askedBy = (replies: ReadonlyArray<Reply | ReplyError | undefined>, from: Target | undefined) => {
    const ask = from && replies.find((reply) => reply instanceof ReplyError && reply.code === 'ASK')
    return ask ? redirection(ask, from.node)?.node : undefined
  }
  let ask = askedBy(results.slice(unit.from, unit.to + 1), sentTo)
  for (let attempt = 0; ; attempt++) {
    if (!ask) {
      await delay(backoff(attempt))
      await ctx.nodes.refresh().catch(() => {})
    }
    let target: Target
    let replies: Array<Reply | ReplyError>
    try {
      target = ask ? { node: ask, readonly: false } : ctx.pick(unit.route)
      const client = ctx.nodes.client(target.node)
      replies = ask
        ? (await client.pipeline([['ASKING'], ...group], options)).slice(1)
        : await client.pipeline(group, options)
    } catch (error) {
      ask = undefined
      if (!retryable(error, false) || Date.now() > deadline) throw error
      continue
    }
    replies.forEach((reply, j) => {
      results[unit.from + j] = reply
    })
    if (!replies.some(again) || Date.now() > deadline) return
    ask = askedBy(replies, target)
  }
}
