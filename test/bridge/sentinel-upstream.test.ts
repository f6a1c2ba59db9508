/**
 * The bridge CLI in front of a Sentinel-managed primary (`--upstream redis+sentinel://...`): it
 * serves commands and subscribe streams on the primary Sentinel names, and serves again on the
 * promoted replica after the primary is killed, without a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BridgeProcess, spawnBridge } from '../support/bridge-cli.ts'
import { type SentinelSetup, startSentinels } from '../support/sentinel.ts'
import { post, TOKEN } from './support.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let setup: SentinelSetup
let bridge: BridgeProcess
beforeAll(async () => {
  setup = await startSentinels()
  bridge = await spawnBridge(
    ['--listen', '127.0.0.1:0', '--upstream', setup.url, '--upstream-timeout', '1000'],
    {
      FLOODGATE_TOKENS: TOKEN,
    },
  )
}, 60_000)
afterAll(async () => {
  bridge?.child.kill('SIGTERM')
  await bridge?.exited
  await setup?.stop()
})

describe('the bridge on a Sentinel upstream', () => {
  it('serves commands and subscribe streams on the primary', async () => {
    expect((await fetch(`${bridge.url}/readyz`)).status).toBe(200)
    expect(await post(bridge.url, ['SET', 'k', 'v'])).toMatchObject({ status: 200, json: { result: 'OK' } })
    expect(setup.nodes[0]!.cli('GET', 'k')).toBe('v')
    const sse = await fetch(`${bridge.url}/subscribe/news`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' },
    })
    const reader = sse.body!.getReader()
    const text = new TextDecoder()
    expect(text.decode((await reader.read()).value)).toBe('data: subscribe,news,1\n\n')
    setup.nodes[0]!.cli('PUBLISH', 'news', 'hello')
    expect(text.decode((await reader.read()).value)).toBe('data: message,news,hello\n\n')
    await reader.cancel()
  })

  it('serves again on the promoted replica after the primary is killed', async () => {
    const killedAt = performance.now()
    process.kill(setup.nodes[0]!.pid, 'SIGKILL')
    let back: number | undefined
    for (let i = 0; i < 400 && back === undefined; i++) {
      const reply = await post(bridge.url, ['INCR', 'after-failover'])
      if (reply.status === 200) back = performance.now()
      else await sleep(25)
    }
    expect(back).toBeDefined()
    console.log(
      `[sentinel] bridge served again ${(back! - killedAt).toFixed(0)} ms after SIGKILL of the primary`,
    )
    expect(setup.nodes[1]!.cli('GET', 'after-failover')).toBe('1')
    // Ready again: the admin and per-class connections all follow the primary.
    await expect.poll(async () => (await fetch(`${bridge.url}/readyz`)).status, { timeout: 10_000 }).toBe(200)
  }, 60_000)
})
