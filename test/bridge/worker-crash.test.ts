/**
 * Issue 12, item 6: with `--workers`, the SIGKILL of one worker ends every request within a second
 * (answered, or its connection reset); none hangs. Under node:cluster's default round-robin the
 * primary held the connections it was handing to the dying worker, and their clients waited 30 s+.
 */
import { Agent, request } from 'node:http'
import { afterAll, describe, expect, it } from 'vitest'
import type { BridgeProcess } from '../support/bridge-cli.ts'
import { childrenOf } from '../support/rss.ts'
import { useValkey } from '../support/use-valkey.ts'
import { spawnTestBridge, TOKEN } from './support.ts'

const valkey = useValkey()
let bridge: BridgeProcess | undefined
afterAll(() => {
  bridge?.child.kill('SIGKILL')
})

/** One INCR on a fresh connection; resolves with its status or error code, and how long it took. */
const incr = (url: string, agent: Agent): Promise<{ outcome: string; ms: number }> =>
  new Promise((resolve) => {
    const started = performance.now()
    const done = (outcome: string) => resolve({ outcome, ms: performance.now() - started })
    const req = request(`${url}/`, { method: 'POST', agent, headers: { authorization: `Bearer ${TOKEN}` } })
    req.on('response', (res) => {
      res.resume()
      res.on('end', () => done(String(res.statusCode)))
      res.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message))
    })
    req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message))
    // Far above the bound asserted below, so a hung request shows as a failure, not a test timeout.
    req.setTimeout(10_000, () => req.destroy(Object.assign(new Error('hung'), { code: 'HUNG' })))
    req.end('["INCR","crash"]')
  })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Pids of the workers that logged `listening` so far (the primary logs it too, without a url). */
const listening = (stderr: string): number[] =>
  stderr
    .split('\n')
    .filter((line) => line.includes('"msg":"listening"') && line.includes('"url"'))
    .map((line) => JSON.parse(line).pid as number)

describe('--workers and a killed worker', () => {
  it('ends every request within about a second when a worker is SIGKILLed under load', async () => {
    bridge = await spawnTestBridge(valkey.url, ['--workers', '2'])
    const agent = new Agent({ keepAlive: false, maxSockets: 64 })
    const results: { outcome: string; ms: number }[] = []
    let running = true
    const loops = Array.from({ length: 30 }, async () => {
      while (running) results.push(await incr(bridge!.url, agent))
    })
    await sleep(800)
    // Two kills in turn, each once the last replacement serves: with no worker left at all the
    // primary closes the listening socket, and clients would see ECONNREFUSED meanwhile.
    for (let kill = 0; kill < 2; kill++) {
      const [victim] = childrenOf(bridge.child.pid!)
      const served = listening(bridge.stderr()).length
      process.kill(victim!, 'SIGKILL')
      for (let i = 0; i < 300 && listening(bridge.stderr()).length === served; i++) await sleep(50)
      expect(listening(bridge.stderr()).length).toBe(served + 1)
      await sleep(300)
    }
    running = false
    await Promise.all(loops)
    const slowest = Math.max(...results.map((r) => r.ms))
    const outcomes = new Map<string, number>()
    for (const r of results) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1)
    console.log(`${results.length} requests, slowest ${slowest.toFixed(0)} ms`, Object.fromEntries(outcomes))
    // Every request was answered or saw its connection reset, promptly.
    expect([...outcomes.keys()].filter((o) => o !== '200' && o !== 'ECONNRESET')).toEqual([])
    // The issue asks for a second; the bound leaves room for a loaded machine, and a hang (the bug)
    // runs to the 10 s client timeout.
    expect(results.filter((r) => r.ms > 2000)).toEqual([])
    expect(outcomes.get('200')).toBeGreaterThan(100)
    // The supervisor replaced both workers, and the bridge still serves.
    const after = await incr(bridge.url, agent)
    expect(after.outcome).toBe('200')
    expect(childrenOf(bridge.child.pid!)).toHaveLength(2)
  }, 60_000)
})
