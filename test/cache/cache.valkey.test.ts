/**
 * The cache on real Valkey over TCP: the shared suite, then what only real servers and processes
 * show: one factory call for 1,000 concurrent misses from 4 clients and from 2 processes, a lock
 * holder killed mid-computation, a frozen server (SIGSTOP), and tag invalidation of 10,000 keys
 * in one round trip.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { connect } from '../../src/bridge/node/socket.ts'
import { createCache } from '../../src/cache/cache.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import type { Client } from '../../src/client/types.ts'
import { useValkey } from '../support/use-valkey.ts'
import { cacheSuite } from './cache.suite.ts'

const valkey = useValkey()
cacheSuite('Valkey over TCP', () => createTcpClient({ url: valkey.url, connect }))

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

const child = (...args: string[]) => {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(import.meta.dirname, 'child.ts'), ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  children.push(proc)
  let out = ''
  proc.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  return {
    proc,
    output: () => out,
    printed: (text: string) =>
      new Promise<void>((ready, fail) => {
        const check = () => (out.includes(text) ? ready() : undefined)
        proc.stdout!.on('data', check)
        proc.once('exit', (code) =>
          fail(new Error(`child exited with ${code} before printing ${text}: ${out}`)),
        )
        check()
      }),
    exited: () =>
      new Promise<number | null>((done) =>
        proc.exitCode === null ? proc.once('exit', done) : done(proc.exitCode),
      ),
  }
}

/** Counts round trips: every send, pipeline and eval the cache makes through this client. */
const counting = (inner: Client) => {
  const counts = { send: 0, pipeline: 0, eval: 0, commands: 0 }
  const client: Client = {
    kind: inner.kind,
    send: (command, options) => {
      counts.send++
      counts.commands++
      return inner.send(command, options)
    },
    pipeline: (commands, options) => {
      counts.pipeline++
      counts.commands += commands.length
      return inner.pipeline(commands, options)
    },
    eval: (script, keys, args, options) => {
      counts.eval++
      counts.commands++
      return inner.eval(script, keys, args, options)
    },
    close: () => inner.close(),
  }
  return { client, counts }
}

describe('cache on Valkey: across clients and processes', () => {
  it('makes one factory call for 1,000 concurrent misses from 4 clients', async () => {
    const clients = Array.from({ length: 4 }, () => createTcpClient({ url: valkey.url, connect }))
    const caches = clients.map((client) => createCache({ client, prefix: 'four', timeout: 30_000 }))
    let calls = 0
    const factory = async () => {
      calls++
      await sleep(100)
      return { answer: 42 }
    }
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => caches[i % 4]!.getOrSet('one-key', factory)),
    )
    expect(calls).toBe(1)
    expect(results.every((r) => r.answer === 42)).toBe(true)
    const waits = caches.reduce((sum, cache) => sum + cache.metrics().lockWaits, 0)
    expect(waits).toBe(3) // one waiter per other client; their other callers joined it in process
    await Promise.all(clients.map((c) => c.close()))
  })

  it('after expiry answers callers on 4 clients with the stale value at once, and refreshes once', async () => {
    const clients = Array.from({ length: 4 }, () => createTcpClient({ url: valkey.url, connect }))
    const caches = clients.map((client) =>
      createCache({ client, prefix: 'grace4', ttl: 100, grace: '1 m', timeout: 30_000 }),
    )
    let calls = 0
    let release = () => {}
    const factory = async () => {
      calls++
      if (calls > 1) await new Promise<void>((r) => (release = r))
      return calls
    }
    await caches[0]!.getOrSet('k', factory)
    await sleep(150)
    const stale = await Promise.all(Array.from({ length: 400 }, (_, i) => caches[i % 4]!.load('k', factory)))
    expect(new Set(stale.map((r) => `${r.status} ${r.value}`))).toEqual(new Set(['stale 1']))
    // Each client tries one refresh in the background; one of them gets the lock.
    for (let waited = 0; calls < 2 && waited < 10_000; waited += 10) await sleep(10)
    release()
    await Promise.all(stale.map((r) => r.pending))
    expect(calls).toBe(2)
    expect(caches.reduce((sum, c) => sum + c.metrics().refreshes, 0)).toBe(1)
    expect(await caches[3]!.getOrSet('k', factory)).toBe(2)
    await Promise.all(clients.map((c) => c.close()))
  })

  it('makes one factory call for 1,000 concurrent misses from 2 processes', async () => {
    const runs = [1, 2].map(() => child('stampede', valkey.url, 'procs', 'k', '500', '2'))
    const codes = await Promise.all(runs.map((r) => r.exited()))
    expect(codes).toEqual([0, 0])
    expect(runs.map((r) => JSON.parse(r.output()))).toEqual([['computed'], ['computed']])
    expect(valkey.server.cli('GET', 'procs:calls')).toBe('1')
  }, 30_000)

  it('computes after the lock TTL when the lock holder is killed', async () => {
    const holder = child('hold', valkey.url, 'killed', 'k', '1500')
    await holder.printed('computing')
    holder.proc.kill('SIGKILL')
    await holder.exited()
    const left = Number(valkey.server.cli('PTTL', '{killed:k}:lock'))
    expect(left).toBeGreaterThan(0) // the dead holder's lock is still there
    const client = createTcpClient({ url: valkey.url, connect })
    const cache = createCache({ client, prefix: 'killed', lockTtl: 1500, timeout: 30_000 })
    const started = performance.now()
    let calls = 0
    const value = await cache.getOrSet('k', () => ++calls)
    const waited = performance.now() - started
    expect([value, calls]).toEqual([1, 1])
    expect(waited).toBeGreaterThanOrEqual(left - 20)
    expect(cache.metrics().lockWaits).toBe(1)
    await client.close()
  }, 20_000)

  it('answers with the factory within timeout + 50 ms when Valkey is frozen (SIGSTOP)', async () => {
    const client = createTcpClient({ url: valkey.url, connect })
    const cache = createCache({ client, prefix: 'frozen', timeout: 200 })
    await cache.getOrSet('warm', () => 1) // connected before the freeze
    valkey.server.pause()
    try {
      let fired = 0
      const started = performance.now()
      const timer = setTimeout(() => {
        fired = performance.now()
      }, 200)
      const result = await cache.load('k', () => 'from the factory')
      const answered = performance.now()
      clearTimeout(timer)
      const late = fired === 0 ? 0 : answered - fired
      console.log(
        `SIGSTOP: answered ${(answered - started).toFixed(1)} ms after the call, ${late.toFixed(1)} ms after the timeout`,
      )
      expect(result).toMatchObject({ status: 'fallback', value: 'from the factory' })
      expect(late).toBeLessThanOrEqual(50)
      expect(cache.metrics()).toMatchObject({ fallbacks: 1, errors: 1 })
    } finally {
      valkey.server.resume()
    }
    await client.close()
  })

  it('with a breaker, skips a frozen Valkey after one timeout, and uses it again once it is back', async () => {
    const client = createTcpClient({ url: valkey.url, connect })
    const cache = createCache({ client, prefix: 'breaker', timeout: 100, breaker: 300 })
    await cache.getOrSet('warm', () => 1)
    valkey.server.pause()
    try {
      expect((await cache.load('a', () => 'x')).status).toBe('fallback')
      const skipped = await cache.load('b', () => 'y')
      expect(skipped).toMatchObject({ status: 'fallback', value: 'y' })
      // One error: the second lookup did not ask the frozen server (and wait out its timeout).
      expect(cache.metrics()).toMatchObject({ fallbacks: 2, errors: 1 })
    } finally {
      valkey.server.resume()
    }
    await sleep(350)
    expect((await cache.load('warm', () => 2)).status).toBe('hit')
    await client.close()
  })

  it('invalidates 10,000 tagged keys with one round trip of one command', async () => {
    const { client, counts } = counting(createTcpClient({ url: valkey.url, connect }))
    // A timeout no loaded machine reaches: a write that timed out would land later, inside the
    // window counted below.
    const cache = createCache({ client, prefix: 'tags', timeout: 60_000 })
    const keys = Array.from({ length: 10_000 }, (_, i) => `item:${i}`)
    for (let i = 0; i < keys.length; i += 1000) {
      await Promise.all(
        keys.slice(i, i + 1000).map((key) => cache.getOrSet(key, () => key, { tags: ['catalog'] })),
      )
    }
    expect(cache.metrics()).toMatchObject({ misses: 10_000, errors: 0, fallbacks: 0 })
    expect(await cache.get('item:9999', { tags: ['catalog'] })).toBe('item:9999')
    valkey.server.cli('CONFIG', 'RESETSTAT')
    Object.assign(counts, { send: 0, pipeline: 0, eval: 0, commands: 0 })
    await cache.invalidateTags(['catalog'])
    expect(counts).toEqual({ send: 0, pipeline: 1, eval: 0, commands: 1 })
    const stats = valkey.server.cli('INFO', 'commandstats')
    const calls = [...stats.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].filter(
      ([, name]) => !['info', 'config'].includes(name!),
    )
    expect(calls.map(([, name, n]) => `${name}=${n}`)).toEqual(['incr=1'])
    const after = await Promise.all(keys.map((key) => cache.get(key, { tags: ['catalog'] })))
    expect(after.filter((v) => v !== undefined)).toHaveLength(0)
    await client.close()
  }, 30_000)
})
