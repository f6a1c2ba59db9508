/**
 * `waitForReplicas(client)` under a limiter, on a real primary and replica: an admission counts only once the replica
 * acknowledged it (WAIT in the same pipeline); without the acknowledgement the `onTimeout` policy
 * answers, and a denial stays a denial. Also the latency a decision pays for it (printed, p50).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/bridge/node/socket.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import type { Client } from '../../src/client/types.ts'
import { waitForReplicas } from '../../src/client/wait-replicas.ts'
import { createLimiter, fixedWindow, Ratelimit } from '../../src/limit/index.ts'
import { startValkey, type ValkeyServer } from '../support/valkey.ts'

let primary: ValkeyServer
let replica: ValkeyServer
let client: Client
let replicaClient: Client
beforeAll(async () => {
  ;[primary, replica] = await Promise.all([startValkey(), startValkey()])
  replica.cli('REPLICAOF', '127.0.0.1', String(primary.port))
  const deadline = Date.now() + 20_000
  while (!replica.cli('INFO', 'replication').includes('master_link_status:up')) {
    if (Date.now() > deadline) throw new Error('the replica did not connect to its primary within 20 s')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  client = createTcpClient({ url: primary.url, connect })
  replicaClient = createTcpClient({ url: replica.url, connect })
}, 30_000)
afterAll(async () => {
  await Promise.all([client?.close(), replicaClient?.close()])
  await Promise.all([primary?.stop(), replica?.stop()])
})

const T0 = 1_764_000_000_000

/** How many EVALSHA, EVAL and WAIT the primary has run so far (a WAIT that timed out counts too). */
const calls = async () => {
  const stats = String(await client.send(['INFO', 'commandstats']))
  const of = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
  return { evalsha: of('evalsha'), eval: of('eval'), wait: of('wait') }
}
let seq = 0
type Acks = { count: number; timeout?: number } | undefined
// Where a test expects the acknowledgement, WAIT and the limiter get far more time than a healthy
// replica needs (WAIT returns as soon as it acknowledges): under a loaded full run, 500 ms once
// made the first decision time out. Tests of the timeout set their own short WAIT.
const ACK_TIMEOUT = 10_000
const make = (
  options: Partial<Parameters<typeof createLimiter>[0]> = {},
  acks: Acks = { count: 1, timeout: ACK_TIMEOUT },
) =>
  createLimiter({
    client: acks ? waitForReplicas(client, acks) : client,
    limits: fixedWindow(3, '1 m'),
    prefix: `r${++seq}`,
    blockCache: false,
    onTimeout: 'deny',
    timeout: ACK_TIMEOUT + 5_000,
    ...options,
  })

describe('waitForReplicas', () => {
  it('admits once the replica holds the count, then denies at the limit', async () => {
    const limiter = make()
    const results = []
    for (let i = 0; i < 4; i++) results.push(await limiter.limit('u', { now: T0 }))
    expect(results.map((r) => [r.success, r.remaining, r.reason])).toEqual([
      [true, 2, undefined],
      [true, 1, undefined],
      [true, 0, undefined],
      [false, 0, undefined],
    ])
    // Acknowledged means on the replica already, not eventually.
    const key = `{r${seq}:u}:fw:60000`
    expect(await replicaClient.send(['GET', key])).toBe(await client.send(['GET', key]))
    expect(await replicaClient.send(['EXISTS', key])).toBe(1)
  })

  it('answers by onTimeout when fewer replicas acknowledge than asked: deny never admits', async () => {
    const strict = make({}, { count: 2, timeout: 50 })
    const results = []
    for (let i = 0; i < 5; i++) results.push(await strict.limit('u', { now: T0 }))
    // Three consumed on the primary but unconfirmed: denied by the policy. Then the limit is
    // reached, and a denial needs no acknowledgement: it consumed nothing.
    expect(results.map((r) => [r.success, r.reason])).toEqual([
      ...Array(3).fill([false, 'timeout']),
      [false, undefined],
      [false, undefined],
    ])
    expect(results[0]!.retryAfter).toBe(1000)
    expect(String(results[0]!.error)).toMatch(/1 of 2 replicas acknowledged within 50 ms/)
  })

  it("with onTimeout 'allow' an unacknowledged admission is allowed, but a denial stays a denial", async () => {
    const prefix = `r${++seq}`
    const plain = createLimiter({ client, limits: fixedWindow(3, '1 m'), prefix, blockCache: false })
    const allow = createLimiter({
      client: waitForReplicas(client, { count: 2, timeout: 20 }),
      limits: fixedWindow(3, '1 m'),
      prefix,
      blockCache: false,
      onTimeout: 'allow',
    })
    expect(await allow.limit('u', { now: T0 })).toMatchObject({ success: true, reason: 'timeout' })
    for (let i = 0; i < 2; i++) expect((await plain.limit('u', { now: T0 })).success).toBe(true)
    expect(await allow.limit('u', { now: T0 })).toMatchObject({ success: false, remaining: 0 })
    expect((await allow.limit('u', { now: T0 })).reason).toBeUndefined()
  })

  it('answers by the policy when the replica is frozen, and recovers when it is back', async () => {
    const limiter = make({}, { count: 1, timeout: 100 })
    replica.pause()
    try {
      expect(await limiter.limit('u', { now: T0 })).toMatchObject({ success: false, reason: 'timeout' })
    } finally {
      replica.resume()
    }
    // The frozen call consumed one on the primary: it is not handed out again.
    const after = await limiter.limit('u', { now: T0 })
    expect(after).toMatchObject({ success: true, remaining: 1 })
    expect(after.reason).toBeUndefined()
  })

  it('runs the script with EVAL after NOSCRIPT, still followed by WAIT', async () => {
    await client.send(['SCRIPT', 'FLUSH'])
    const result = await make().limit('u', { now: T0 })
    expect(result).toMatchObject({ success: true, remaining: 2 })
    expect(result.reason).toBeUndefined()
  })

  it('sends one WAIT for all the decisions of one event-loop turn, and each is acknowledged', async () => {
    const limiter = make({ limits: fixedWindow(10, '1 m') })
    await limiter.limit('warm', { now: T0 }) // the script's SHA is known from here on
    const before = await calls()
    const ids = Array.from({ length: 20 }, (_, i) => `turn-${i}`)
    const results = await Promise.all(ids.map((id) => limiter.limit(id, { now: T0 })))
    expect(results.map((r) => [r.success, r.remaining, r.reason])).toEqual(
      ids.map(() => [true, 9, undefined]),
    )
    const after = await calls()
    expect([after.evalsha - before.evalsha, after.wait - before.wait]).toEqual([20, 1])
    // Acknowledged means every one of them is on the replica already.
    const keys = ids.map((id) => `{r${seq}:${id}}:fw:60000`)
    expect(await replicaClient.send(['MGET', ...keys])).toEqual(ids.map(() => `${T0 / 60_000}:1`))

    // After a SCRIPT FLUSH the whole turn gets NOSCRIPT, and its EVALs share a WAIT of their own.
    await client.send(['SCRIPT', 'FLUSH'])
    const again = await calls()
    const second = await Promise.all(ids.map((id) => limiter.limit(id, { now: T0 })))
    expect(second.map((r) => [r.success, r.remaining, r.reason])).toEqual(ids.map(() => [true, 8, undefined]))
    const last = await calls()
    expect([last.evalsha - again.evalsha, last.eval - again.eval, last.wait - again.wait]).toEqual([
      20, 20, 2,
    ])
  })

  it('works through the Ratelimit (Upstash-compatible) wrapper', async () => {
    const ratelimit = new Ratelimit({
      redis: waitForReplicas(client, { count: 1, timeout: ACK_TIMEOUT }),
      limiter: Ratelimit.fixedWindow(2, '1 m'),
      prefix: `r${++seq}`,
      onTimeout: 'deny',
      timeout: ACK_TIMEOUT + 5_000,
    })
    const results = []
    for (let i = 0; i < 3; i++) results.push(await ratelimit.limit('u'))
    expect(results.map((r) => [r.success, r.reason])).toEqual([
      [true, undefined],
      [true, undefined],
      [false, undefined],
    ])
  })

  it('refuses settings it cannot honour, saying why', () => {
    expect(() => waitForReplicas(client, { count: 0 })).toThrow(
      /count must be a whole number of replicas \(1 or more\)/,
    )
    expect(() => waitForReplicas(client, { count: 1, timeout: 0 })).toThrow(/timeout whole ms \(1 or more\)/)
    const http: Client = {
      kind: 'http',
      send: client.send,
      pipeline: client.pipeline,
      eval: client.eval,
      close: async () => {},
    }
    expect(() => waitForReplicas(http, { count: 1 })).toThrow(
      /needs a TCP or cluster client, received http: the bridge refuses WAIT/,
    )
  })

  it('costs one replica acknowledgement per decision (p50 printed, with and without)', async () => {
    const p50 = async (limiter: ReturnType<typeof make>) => {
      const times: number[] = []
      for (let i = 0; i < 300; i++) {
        const start = performance.now()
        const result = await limiter.limit(`id${i}`)
        times.push(performance.now() - start)
        expect(result.success).toBe(true)
      }
      return times.sort((a, b) => a - b)[150]!
    }
    const durable = make({ limits: fixedWindow(1000, '1 m') })
    const plain = make({ limits: fixedWindow(1000, '1 m') }, undefined)
    await p50(durable) // warm up both paths
    const [withWait, without] = [await p50(durable), await p50(plain)]
    console.log(
      `decision p50 with WAIT 1: ${withWait.toFixed(3)} ms; without: ${without.toFixed(3)} ms (same server, sequential)`,
    )
  })
})
