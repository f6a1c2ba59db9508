/**
 * Resharding under load: `valkey-cli --cluster reshard` moves a range of slots, keys and all, from
 * one primary to another while limiter decisions on identifiers in those slots keep arriving. The
 * client follows ASK during the migration and MOVED after it: every call gets a real decision (no
 * timeout, no error), and no identifier is admitted more than its limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../src/bridge/node/socket.ts'
import { createClusterClient } from '../../../src/client/cluster/client.ts'
import { keySlot } from '../../../src/client/cluster/slot.ts'
import type { Client } from '../../../src/client/types.ts'
import { createLimiter, fixedWindow, type RateLimitResult } from '../../../src/limit/index.ts'
import { errorCount } from '../../support/cluster-stats.ts'
import { useCluster } from '../../support/use-cluster.ts'

const ctx = useCluster()
let client: Client
beforeAll(() => {
  client = createClusterClient({ url: ctx.cluster.url, connect })
})
afterAll(() => client.close())

const T0 = 1_764_000_000_000
const LIMIT = 20
const MOVED_SLOTS = 100

describe('resharding under load', () => {
  it('moves 100 slots while limiter calls on them run: none fails, none over-admits', async () => {
    const view = await ctx.cluster.view()
    const primaries = view.filter((node) => node.role === 'primary')
    const [from, to] = [primaries[0]!, primaries[1]!]
    const first = Math.min(...from.slots.map(([a]) => a))
    // `reshard` moves the lowest slots the source owns: pick identifiers whose tag lands there.
    const identifiers: string[] = []
    for (let i = 0; identifiers.length < 40; i++) {
      const slot = keySlot(`rs:user${i}`)
      if (slot >= first && slot < first + MOVED_SLOTS) identifiers.push(`user${i}`)
    }
    const limiter = createLimiter({
      client,
      limits: fixedWindow(LIMIT, '1 m'),
      prefix: 'rs',
      blockCache: false,
      timeout: 10_000,
      onTimeout: 'deny',
    })
    // Give every identifier keys before the move, so there are keys to migrate.
    const results = new Map<string, RateLimitResult[]>(identifiers.map((id) => [id, []]))
    for (const id of identifiers) results.get(id)!.push(await limiter.limit(id, { now: T0 }))
    const redirectsBefore =
      (await errorCount(ctx.cluster, [from.port], 'ASK')) +
      (await errorCount(ctx.cluster, [from.port], 'MOVED'))

    let moving = true
    let slowest = 0
    const worker = async (offset: number) => {
      // Bounded load: 4 workers, each cycling through its identifiers (a call per millisecond at
      // most) until the move is done; it leaves the 2 cores to the migration.
      for (let round = 0; moving || round < 2; round++) {
        for (let k = offset; k < identifiers.length; k += 4) {
          const id = identifiers[k]!
          const started = performance.now()
          results.get(id)!.push(await limiter.limit(id, { now: T0 }))
          slowest = Math.max(slowest, performance.now() - started)
          await new Promise((resolve) => setTimeout(resolve, 1))
        }
      }
    }
    const load = Promise.all(Array.from({ length: 4 }, (_, i) => worker(i)))
    const started = performance.now()
    await ctx.cluster.reshard(from.port, to.port, MOVED_SLOTS)
    const took = performance.now() - started
    moving = false
    await load

    const redirects =
      (await errorCount(ctx.cluster, [from.port], 'ASK')) +
      (await errorCount(ctx.cluster, [from.port], 'MOVED'))
    const all = [...results.values()].flat()
    console.log(
      `reshard of ${MOVED_SLOTS} slots took ${took.toFixed(0)} ms under ${all.length} limiter calls; ` +
        `${redirects - redirectsBefore} redirections answered; slowest call ${slowest.toFixed(0)} ms`,
    )
    // The load did cross the migration: the source redirected some of it.
    expect(redirects).toBeGreaterThan(redirectsBefore)
    // Every call got a real decision: no timeout, no error, nothing failed over to the policy.
    expect(all.filter((result) => result.reason !== undefined)).toEqual([])
    for (const [id, list] of results) {
      const admitted = list.filter((result) => result.success).length
      expect({ id, admitted }).toEqual({ id, admitted: Math.min(LIMIT, list.length) })
    }
    // The keys live on the new owner now, and the counters came with them.
    const owner = await ctx.cluster.primaryOf(keySlot(`rs:${identifiers[0]}`))
    expect(owner).toBe(to.port)
    expect(await ctx.cluster.cli(to.port, 'EXISTS', `{rs:${identifiers[0]}}:fw:60000`)).toBe('1')
    expect(await limiter.limit(identifiers[0]!, { now: T0 })).toMatchObject({ success: false, remaining: 0 })
  })
})
