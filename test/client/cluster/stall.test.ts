/**
 * A primary that stalls (SIGSTOP: its connections stay open, nothing answers) while commands on
 * its slots are in flight. The cluster promotes its replica after `cluster-node-timeout`; the
 * client must send the slots' commands to the promoted replica within a second of the promotion,
 * not when the stalled node wakes up (it did: served again 4.99 s after a stop whose promotion
 * showed at 2.89 s). Full coverage is off, so the other shards keep serving meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../src/bridge/node/socket.ts'
import { createClusterClient } from '../../../src/client/cluster/client.ts'
import { keySlot } from '../../../src/client/cluster/slot.ts'
import type { Client } from '../../../src/client/types.ts'
import { useCluster } from '../../support/use-cluster.ts'

const ctx = useCluster({ nodeTimeout: 1000 })
let client: Client
beforeAll(async () => {
  for (const server of ctx.cluster.servers) server.cli('CONFIG', 'SET', 'cluster-require-full-coverage', 'no')
  client = createClusterClient({ url: ctx.cluster.url, connect, commandTimeout: 20_000 })
})
afterAll(() => client.close())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('a stalled primary', () => {
  it('is left for its promoted replica within a second of the promotion, not when it wakes', async () => {
    const port = Number(ctx.cluster.seeds[0]!.split(':')[1])
    const primary = (await ctx.cluster.view()).find((node) => node.port === port)!
    const replica = await ctx.cluster.replicaOf(port)
    const server = ctx.cluster.servers.find((s) => s.port === port)!
    const keys: string[] = []
    for (let i = 0; keys.length < 8; i++) {
      const slot = keySlot(`stall:${i}`)
      if (primary.slots.some(([a, b]) => a <= slot && slot <= b)) keys.push(`stall:${i}`)
    }
    const served: Array<{ at: number; ok: boolean }> = []
    let running = true
    // Four callers, one command in flight each, with a timeout longer than the stall: only the
    // client moving on releases them before the node wakes.
    const worker = async (w: number) => {
      for (let i = w; running; i += 4) {
        const ok = await client.send(['INCR', keys[i % keys.length]!], { timeout: 15_000 }).then(
          () => true,
          () => false,
        )
        served.push({ at: performance.now(), ok })
        await sleep(5)
      }
    }
    const load = Promise.all([0, 1, 2, 3].map(worker))
    await sleep(300)
    const stoppedAt = performance.now()
    server.pause()
    let promotedAt: number | undefined
    try {
      for (let i = 0; i < 400 && promotedAt === undefined; i++) {
        if ((await ctx.cluster.cli(replica, 'ROLE')).startsWith('master')) promotedAt = performance.now()
        else await sleep(25)
      }
      // The stall outlasts the promotion by several seconds.
      while (performance.now() - stoppedAt < 8000) await sleep(50)
    } finally {
      server.resume()
    }
    running = false
    await load
    expect(promotedAt).toBeDefined()
    const back = served.find((s) => s.ok && s.at > promotedAt!)
    expect(back).toBeDefined()
    console.log(
      `[cluster stall] promoted ${(promotedAt! - stoppedAt).toFixed(0)} ms after SIGSTOP; served again ` +
        `${(back!.at - stoppedAt).toFixed(0)} ms after it, ${(back!.at - promotedAt!).toFixed(0)} ms after the promotion`,
    )
    // The issue asks for a second; the bound leaves room for a loaded machine yet fails the old
    // behaviour (served only when the node woke, 8 s after the stop).
    expect(back!.at - promotedAt!).toBeLessThan(2000)
  }, 90_000)
})
