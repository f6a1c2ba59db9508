/**
 * When Valkey misbehaves the bridge answers quickly with a JSON error and recovers by itself:
 * paused (SIGSTOP) -> 504 after --upstream-timeout; killed -> 503; restarted -> serving again,
 * without restarting the bridge.
 */
import { describe, expect, it } from 'vitest'
import { useValkey } from '../support/use-valkey.ts'
import { post, TOKEN, useBridge } from './support.ts'

const valkey = useValkey()
const bridge = useBridge(valkey, { upstreamTimeout: 300 })

describe('the bridge when Valkey is slow or down', () => {
  it('answers 504 with a JSON error when Valkey does not answer in time, then serves again', async () => {
    expect((await post(bridge.url, ['SET', 'k', '1'])).status).toBe(200)
    valkey.server.pause()
    try {
      const started = Date.now()
      const single = await post(bridge.url, ['INCR', 'k'])
      expect(single.status).toBe(504)
      expect(single.json).toEqual({
        error: 'ERR upstream timeout: Valkey did not answer within 300 ms; the command may have run',
      })
      // A behaviour bound, generous for a loaded machine: the timeout, not a hang.
      expect(Date.now() - started).toBeLessThan(300 + 2000)
      expect((await post(`${bridge.url}/pipeline`, [['GET', 'k']])).status).toBe(504)
    } finally {
      valkey.server.resume()
    }
    expect(await post(bridge.url, ['GET', 'k'])).toMatchObject({ status: 200 })
  })

  it('answers 503 while Valkey is down and serves again once it is back', async () => {
    const sse = await fetch(`${bridge.url}/subscribe/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' },
    })
    expect(sse.status).toBe(200)
    const reader = sse.body!.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: subscribe,events,1\n\n')

    process.kill(valkey.server.pid, 'SIGKILL')
    // The stream's upstream connection broke, so the stream ends.
    for (;;) if ((await reader.read()).done) break
    for (const [path, body] of [
      ['/', ['GET', 'k']],
      ['/pipeline', [['GET', 'k']]],
      ['/multi-exec', [['INCR', 'k']]],
    ] as const) {
      const down = await post(bridge.url + path, body)
      expect(down.status, path).toBe(503)
      expect(down.json).toEqual({
        error: 'ERR upstream unavailable: the bridge cannot reach Valkey (ECONNREFUSED); retry later',
      })
    }
    const subscribe = await post(`${bridge.url}/subscribe/events`, '')
    expect(subscribe.status).toBe(503)
    expect((await fetch(`${bridge.url}/healthz`)).status).toBe(200)

    await valkey.server.restart()
    expect(await post(bridge.url, ['INCR', 'k'])).toMatchObject({ status: 200, json: { result: 1 } })
    expect(
      await post(`${bridge.url}/multi-exec`, [
        ['INCR', 'k'],
        ['GET', 'k'],
      ]),
    ).toMatchObject({
      status: 200,
      json: [{ result: 2 }, { result: '2' }],
    })
    const metrics = await fetch(`${bridge.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
    const text = await metrics.text()
    expect(text).toMatch(/floodgate_bridge_upstream_errors_total\{kind="unavailable"\} [1-9]/)
    expect(text).toMatch(/floodgate_bridge_upstream_errors_total\{kind="timeout"\} [1-9]/)
  })
})
