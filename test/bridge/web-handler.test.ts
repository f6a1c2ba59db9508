/**
 * `createBridge(...).fetch` is a plain web-standard handler: Request in, Response out, with no
 * HTTP server around it (as Deno.serve or Bun.serve would call it).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { connectUpstream, createBridge } from '../../src/bridge/index.ts'
import { connect } from '../../src/bridge/node/socket.ts'
import { useValkey } from '../support/use-valkey.ts'
import { TOKEN } from './support.ts'

const valkey = useValkey()
let bridge: ReturnType<typeof createBridge> | undefined
const handler = () => {
  bridge ??= createBridge({
    upstream: connectUpstream({ url: valkey.url, connect }),
    tokens: [TOKEN],
    maxBody: 1024,
    maxStreams: 1,
  })
  return bridge
}
afterAll(() => bridge?.close())

const request = (path: string, init: RequestInit = {}) =>
  new Request(`http://bridge.local${path}`, {
    method: 'POST',
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string>) },
  })

describe('createBridge().fetch', () => {
  it('answers commands, pipelines and transactions as Responses', async () => {
    const one = await handler().fetch(request('/', { body: '["SET","w","1"]' }))
    expect(one.status).toBe(200)
    expect(one.headers.get('content-type')).toBe('application/json')
    expect(one.headers.get('upstash-sync-token')).toMatch(/.+-\d+/)
    expect(await one.json()).toEqual({ result: 'OK' })
    const pipe = await handler().fetch(request('/pipeline', { body: '[["INCR","w"],["GET","w"]]' }))
    expect(await pipe.json()).toEqual([{ result: 2 }, { result: '2' }])
    const tx = await handler().fetch(
      request('/multi-exec', {
        body: '[["INCR","w"],["GET","w"]]',
        headers: { 'upstash-encoding': 'base64' },
      }),
    )
    expect(await tx.json()).toEqual([{ result: 3 }, { result: 'Mw==' }])
  })

  it('caps the body, declared or not', async () => {
    const big = await handler().fetch(request('/', { body: JSON.stringify(['SET', 'w', 'x'.repeat(2000)]) }))
    expect(big.status).toBe(413)
    expect(await big.json()).toEqual({ error: 'ERR max request size exceeded' })
  })

  it('streams a subscription as text/event-stream and ends it when the reader cancels', async () => {
    const response = await handler().fetch(request('/subscribe/web'))
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    const second = await handler().fetch(request('/subscribe/other'))
    expect(second.status).toBe(429)
    expect(await second.json()).toEqual({
      error: 'ERR too many subscribe streams open (the limit is 1); retry later',
    })
    expect(decoder.decode((await reader.read()).value)).toBe('data: subscribe,web,1\n\n')
    valkey.server.cli('PUBLISH', 'web', 'line one\nline two')
    expect(decoder.decode((await reader.read()).value)).toBe('data: message,web,line one\ndata: line two\n\n')
    await reader.cancel()
    await expect.poll(() => valkey.server.cli('PUBSUB', 'NUMSUB', 'web')).toBe('web\n0')
  })
})
