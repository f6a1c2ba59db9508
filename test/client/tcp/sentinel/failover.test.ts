/**
 * The Sentinel client on a real primary + replica + 3 Sentinels (test/support/sentinel.ts): it
 * finds the primary, follows a failover after SIGKILL, a planned `SENTINEL FAILOVER` and a paused
 * primary, and, with `waitForReplicas` + `onTimeout: 'deny'`, never admits an identifier past its
 * limit across any of them. Each scenario gets a fresh deployment (a failover changes it).
 * The figures each run measured are printed (`[sentinel] ...`) for the record.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { connect } from '../../../../src/bridge/node/socket.ts'
import { clientFromEnv } from '../../../../src/client/create-client.ts'
import { createSentinelClient, type SentinelClient } from '../../../../src/client/tcp/sentinel/client.ts'
import type { Client } from '../../../../src/client/types.ts'
import { waitForReplicas } from '../../../../src/client/wait-replicas.ts'
import { fixedWindow } from '../../../../src/limit/fixed-window.ts'
import { createLimiter } from '../../../../src/limit/limiter.ts'
import { type SentinelSetup, startSentinels } from '../../../support/sentinel.ts'
import type { ValkeyServer } from '../../../support/valkey.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const T0 = 1_764_000_000_000

let setup: SentinelSetup | undefined
let client: SentinelClient | undefined
const observers: ChildProcess[] = []
afterEach(async () => {
  for (const o of observers.splice(0)) o.kill('SIGKILL')
  await client?.close()
  client = undefined
  for (const n of setup?.nodes ?? []) n.resume()
  await setup?.stop()
  setup = undefined
})

/**
 * When the first Sentinel publishes `+switch-master`, seen by `valkey-cli SUBSCRIBE` on each
 * (independent of the client under test).
 */
const observeSwitch = (sentinels: ReadonlyArray<{ port: number }>): { at: () => number | undefined } => {
  let at: number | undefined
  for (const { port } of sentinels) {
    const child = spawn('valkey-cli', ['-p', String(port), 'SUBSCRIBE', '+switch-master'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    observers.push(child)
    child.stdout!.on('data', (chunk: Buffer) => {
      if (at === undefined && chunk.toString().includes('mymaster ')) at = performance.now()
    })
  }
  return { at: () => at }
}

interface Load {
  /** performance.now() of each decision the backend answered, the port that served it, and whether it admitted. */
  served: Array<{ at: number; port: number | undefined; success: boolean }>
  /** Decisions answered by the limiter's onTimeout policy instead. */
  unanswered: number
  admitted: Map<string, number>
  errors: number
  stop(): Promise<void>
}

/**
 * Four callers deciding for `ids` identifiers until stopped. With `rotate`, the identifiers are
 * new every second, so each second's set runs into its limit and admissions continue all along.
 */
const load = (
  limit: (id: string) => Promise<{ success: boolean; reason?: string }>,
  ids: number,
  rotate = false,
): Load => {
  const started = performance.now()
  const state: Load = { served: [], unanswered: 0, admitted: new Map(), errors: 0, stop: async () => {} }
  let running = true
  const worker = async (w: number) => {
    for (let i = w; running; i += 4) {
      const id = `user-${i % ids}${rotate ? `-${Math.floor((performance.now() - started) / 1000)}` : ''}`
      try {
        const result = await limit(id)
        if (result.reason === undefined) {
          state.served.push({ at: performance.now(), port: client?.address?.port, success: result.success })
        } else state.unanswered++
        if (result.success && result.reason === undefined)
          state.admitted.set(id, (state.admitted.get(id) ?? 0) + 1)
      } catch {
        state.errors++
      }
      await sleep(2)
    }
  }
  const workers = [0, 1, 2, 3].map(worker)
  state.stop = async () => {
    running = false
    await Promise.all(workers)
  }
  return state
}

const over = (admitted: Map<string, number>, limit: number) =>
  [...admitted.values()].reduce((n, count) => n + Math.max(0, count - limit), 0)

describe('createSentinelClient', () => {
  it('finds the primary through the Sentinels, checks its role and serves commands', async () => {
    setup = await startSentinels()
    client = createSentinelClient({ url: setup.url, connect })
    expect(await client.send(['SET', 'k', 'v'])).toBe('OK')
    expect(client.address).toEqual({ host: '127.0.0.1', port: setup.nodes[0]!.port })
    expect(setup.nodes[1]!.cli('GET', 'k')).toBe('v')
    const fromEnv = clientFromEnv({ FLOODGATE_URL: setup.url }, { connect })
    try {
      expect(await fromEnv.send(['GET', 'k'])).toBe('v')
    } finally {
      await fromEnv.close()
    }
    const reader = createSentinelClient({ url: `${setup.url}?role=replica`, connect, watch: false })
    try {
      expect(await reader.send(['ROLE']).then((r) => (r as string[])[0])).toBe('slave')
      expect(reader.address?.port).toBe(setup.nodes[1]!.port)
    } finally {
      await reader.close()
    }
  }, 60_000)

  it('resumes decisions on the new primary after SIGKILL, switching right after +switch-master', async () => {
    setup = await startSentinels()
    client = createSentinelClient({ url: setup.url, connect, commandTimeout: 2000 })
    const limiter = createLimiter({
      client,
      limits: fixedWindow(1_000_000, '1 m'),
      blockCache: false,
      timeout: 2000,
    })
    const run = load((id) => limiter.limit(id), 10)
    await sleep(500)
    const switched = observeSwitch(setup.sentinels)
    const [primary, replica] = setup.nodes as [(typeof setup.nodes)[0], (typeof setup.nodes)[0]]
    const killedAt = performance.now()
    process.kill(primary.pid, 'SIGKILL')
    for (let i = 0; i < 300 && !run.served.some((s) => s.at > killedAt && s.port === replica.port); i++)
      await sleep(50)
    await sleep(300)
    await run.stop()
    const first = run.served.find((s) => s.at > killedAt && s.port === replica.port)
    expect(first).toBeDefined()
    const switchAt = switched.at()
    expect(switchAt).toBeDefined()
    const resumed = first!.at - killedAt
    const afterSwitch = first!.at - switchAt!
    console.log(
      `[sentinel] SIGKILL: decisions resumed ${resumed.toFixed(0)} ms after the kill, ${afterSwitch.toFixed(0)} ms after +switch-master`,
    )
    // The issue's target is 100 ms after +switch-master; the bound here leaves room for a loaded machine.
    expect(afterSwitch).toBeLessThan(1000)
    expect(replica.cli('ROLE').split('\n')[0]).toBe('master')
  }, 90_000)

  for (const scenario of ['SIGKILL', 'SENTINEL FAILOVER', 'SIGSTOP 4 s'] as const) {
    it(`admits no identifier over its limit across ${scenario} with waitForReplicas + onTimeout deny`, async () => {
      setup = await startSentinels({ replicas: 2 })
      client = createSentinelClient({ url: setup.url, connect, commandTimeout: 1000 })
      const LIMIT = 50
      const durable: Client = waitForReplicas(client, { count: 1, timeout: 100 })
      const limiter = createLimiter({
        client: durable,
        limits: fixedWindow(LIMIT, '1 m'),
        blockCache: false,
        timeout: 1000,
        onTimeout: 'deny',
      })
      // One fixed clock for every call: a real one could cross the window's boundary mid-test and
      // legitimately admit an identifier twice its limit.
      const run = load((id) => limiter.limit(id, { now: T0 }), 4, true)
      await sleep(300)
      const primary = setup.nodes[0]!
      const switched = observeSwitch(setup.sentinels)
      const t0 = performance.now()
      // When the client stops using the old primary (polled every 5 ms).
      let movedAt: number | undefined
      const poll = setInterval(() => {
        if (movedAt === undefined && client?.address?.port !== primary.port) movedAt = performance.now()
      }, 5)
      if (scenario === 'SIGKILL') process.kill(primary.pid, 'SIGKILL')
      else if (scenario === 'SENTINEL FAILOVER') setup.sentinels[0]!.cli('SENTINEL', 'FAILOVER', 'mymaster')
      else {
        primary.pause()
        await sleep(4000)
        primary.resume()
      }
      for (let i = 0; i < 400 && switched.at() === undefined; i++) await sleep(50)
      // Decisions after the switch, and (split brain) after the old primary woke up and was demoted;
      // then until the new primary's replica acknowledges again (a resync can take seconds under load).
      await sleep(scenario === 'SIGSTOP 4 s' ? 12_000 : 3000)
      const admittedOnNew = () =>
        run.served.some((s) => s.success && s.at > (switched.at() ?? t0) && s.port === client?.address?.port)
      for (let i = 0; i < 500 && !admittedOnNew(); i++) await sleep(50)
      await sleep(500)
      await run.stop()
      clearInterval(poll)
      const newPort = client.address?.port
      const after = run.served.filter((s) => s.at > (switched.at() ?? t0) && s.port === newPort)
      const total = [...run.admitted.values()].reduce((a, b) => a + b, 0)
      console.log(
        `[sentinel] ${scenario} + waitForReplicas: +switch-master ${((switched.at() ?? Number.NaN) - t0).toFixed(0)} ms, ` +
          `client moved ${((movedAt ?? Number.NaN) - (switched.at() ?? Number.NaN)).toFixed(0)} ms after it, ` +
          `first decision on the new primary ${after[0] ? (after[0].at - (switched.at() ?? t0)).toFixed(0) : '-'} ms after it; ` +
          `${after.filter((s) => s.success).length} admitted there; ${total} admitted in all, ` +
          `${over(run.admitted, LIMIT)} over the limit, ${run.unanswered} answered by onTimeout, ${run.errors} errors`,
      )
      expect(switched.at()).toBeDefined()
      expect(newPort).not.toBe(primary.port)
      // Decisions resumed on the new primary, admitting (its replica acknowledges again).
      expect(after.filter((s) => s.success).length).toBeGreaterThan(0)
      expect(over(run.admitted, LIMIT)).toBe(0)
      // Identifiers reached their limit: the test exercised the bound, not an idle limiter.
      expect([...run.admitted.values()].filter((n) => n === LIMIT).length).toBeGreaterThan(0)
    }, 120_000)
  }

  it('answers READONLY from a demoted primary by finding the new one and resending the write', async () => {
    setup = await startSentinels()
    // No +switch-master watch: the client learns of the failover only from the demoted node.
    client = createSentinelClient({ url: setup.url, connect, watch: false })
    const [old, promoted] = setup.nodes as [ValkeyServer, ValkeyServer]
    expect(await client.send(['INCR', 'n'])).toBe(1)
    expect(client.address?.port).toBe(old.port)
    setup.sentinels[0]!.cli('SENTINEL', 'FAILOVER', 'mymaster')
    for (let i = 0; i < 200 && promoted.cli('ROLE').split('\n')[0] !== 'master'; i++) await sleep(50)
    // What Sentinel does to the old primary some seconds later, done now.
    old.cli('REPLICAOF', '127.0.0.1', String(promoted.port))
    expect(old.cli('SET', 'x', '1')).toMatch(/^READONLY/)
    expect(await client.send(['INCR', 'n'])).toBe(2)
    expect(client.address?.port).toBe(promoted.port)
    expect(promoted.cli('GET', 'n')).toBe('2')
  }, 60_000)

  it('keeps sessions acknowledged with WAIT before a SIGKILL of the primary', async () => {
    setup = await startSentinels()
    client = createSentinelClient({ url: setup.url, connect, commandTimeout: 2000 })
    const acked: string[] = []
    for (let i = 0; i < 200; i++) {
      const key = `fg:sess:{${i}}`
      const [, copies] = await client.pipeline([
        ['SET', key, JSON.stringify({ userId: `u${i}` }), 'EX', 3600],
        ['WAIT', 1, 100],
      ])
      if (copies === 1) acked.push(key)
    }
    expect(acked.length).toBeGreaterThan(150)
    process.kill(setup.nodes[0]!.pid, 'SIGKILL')
    // Reads fail while the primary is down (the caller sees the broken connection); repeat them
    // until the promoted replica answers.
    let found: unknown[] = []
    for (let i = 0; i < 200; i++) {
      try {
        found = await client.pipeline(acked.map((key) => ['EXISTS', key]))
        break
      } catch {
        await sleep(50)
      }
    }

    expect(client.address?.port).toBe(setup.nodes[1]!.port)
    expect(found.filter((n) => n === 1).length).toBe(acked.length)
  }, 90_000)
})
