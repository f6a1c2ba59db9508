/**
 * `responseCache()` in-process with `app.request()`, on a real Valkey: what it stores by the
 * handler's Cache-Control, Vary and Set-Cookie, stale-while-revalidate, ETag and 304, HEAD.
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { connect } from '../../src/bridge/node/socket.ts'
import { createCache } from '../../src/cache/cache.ts'
import { parseCacheControl } from '../../src/cache/cache-control.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import { responseCache } from '../../src/hono/response-cache.ts'
import { useValkey } from '../support/use-valkey.ts'

const valkey = useValkey()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
let unique = 0

/** An app whose one route answers `count` with the given Cache-Control (and other headers). */
const appWith = (headers: Record<string, string>, options: { ttl?: number; vary?: string[] } = {}) => {
  const cache = createCache({
    client: createTcpClient({ url: valkey.url, connect }),
    prefix: `rc${++unique}`,
    timeout: 30_000,
  })
  const app = new Hono()
  let count = 0
  app.use('/r', responseCache({ cache, ...options }))
  app.on(['GET', 'POST'], '/r', async (c) => {
    const n = ++count
    await sleep(10)
    for (const [name, value] of Object.entries(headers)) c.header(name, value)
    return c.text(`body ${n} ${c.req.header('accept-language') ?? ''}`)
  })
  return { app, calls: () => count }
}

describe('responseCache', () => {
  it('stores a max-age response: the handler runs once, later requests are hits with ETag and Age', async () => {
    const { app, calls } = appWith({ 'cache-control': 'public, max-age=60' })
    const first = await app.request('/r')
    const second = await app.request('/r')
    expect([await first.text(), await second.text()]).toEqual(['body 1 ', 'body 1 '])
    expect(calls()).toBe(1)
    expect(first.headers.get('cache-status')).toBe('floodgate; fwd=miss; stored')
    expect(second.headers.get('cache-status')).toBe('floodgate; hit')
    expect(second.headers.get('etag')).toMatch(/^"[0-9a-f]{24}"$/)
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'))
    expect(second.headers.get('age')).toBe('0')
    expect(second.headers.get('content-type')).toMatch(/^text\/plain/)
  })

  it('does not store no-store, private, no-cache, or Set-Cookie', async () => {
    const cases: Record<string, string>[] = [
      { 'cache-control': 'no-store' },
      { 'cache-control': 'private, max-age=60' },
      { 'cache-control': 'no-cache, max-age=60' },
      { 'cache-control': 'max-age=60', 'set-cookie': 'a=1' },
    ]
    for (const headers of cases) {
      const { app, calls } = appWith(headers)
      await app.request('/r')
      const second = await app.request('/r')
      expect(calls()).toBe(2)
      expect(second.headers.get('cache-status')).toBeNull()
    }
  })

  it('stores a response without Cache-Control only when given a ttl', async () => {
    const bare = appWith({})
    await bare.app.request('/r')
    await bare.app.request('/r')
    expect(bare.calls()).toBe(2)
    const withTtl = appWith({}, { ttl: 60_000 })
    await withTtl.app.request('/r')
    await withTtl.app.request('/r')
    expect(withTtl.calls()).toBe(1)
  })

  it('uses s-maxage over max-age', async () => {
    const { app, calls } = appWith({ 'cache-control': 'max-age=600, s-maxage=1' })
    await app.request('/r')
    await sleep(1100)
    expect(await (await app.request('/r')).text()).toBe('body 2 ')
    expect(calls()).toBe(2)
  })

  it('serves stale within stale-while-revalidate while the handler runs once in the background', async () => {
    const { app, calls } = appWith({ 'cache-control': 'max-age=1, stale-while-revalidate=60' })
    await app.request('/r')
    await sleep(1100)
    // The refresh goes to the runtime's waitUntil, as on Workers.
    const background: Promise<unknown>[] = []
    const executionCtx = {
      waitUntil: (p: Promise<unknown>) => background.push(p),
      passThroughOnException() {},
      props: {},
    }
    const stale = await Promise.all(
      [1, 2, 3].map(() => app.request('/r', undefined, undefined, executionCtx)),
    )
    expect(await Promise.all(stale.map((r) => r.text()))).toEqual(['body 1 ', 'body 1 ', 'body 1 '])
    expect(stale[0]!.headers.get('cache-status')).toBe('floodgate; hit; fwd=stale')
    expect(background.length).toBeGreaterThan(0)
    await Promise.all(background)
    expect(calls()).toBe(2)
    expect(await (await app.request('/r')).text()).toBe('body 2 ')
  })

  it('keys by the listed request headers and refuses to store other Vary headers', async () => {
    const { app, calls } = appWith(
      { 'cache-control': 'max-age=60', vary: 'Accept-Language' },
      { vary: ['Accept-Language'] },
    )
    const en = { headers: { 'accept-language': 'en' } }
    const fr = { headers: { 'accept-language': 'fr' } }
    expect(await (await app.request('/r', en)).text()).toBe('body 1 en')
    expect(await (await app.request('/r', fr)).text()).toBe('body 2 fr')
    expect(await (await app.request('/r', en)).text()).toBe('body 1 en')
    expect(calls()).toBe(2)

    for (const varyBy of ['Cookie', '*']) {
      const other = appWith({ 'cache-control': 'max-age=60', vary: varyBy }, { vary: ['Accept-Language'] })
      await other.app.request('/r')
      await other.app.request('/r')
      expect(other.calls()).toBe(2)
    }
  })

  it('answers a matching If-None-Match with a bodiless 304, and keeps the handler ETag', async () => {
    const { app } = appWith({ 'cache-control': 'max-age=60', etag: '"v1"' })
    const first = await app.request('/r')
    expect(first.headers.get('etag')).toBe('"v1"')
    for (const tag of ['"v1"', 'W/"v1"', '"x", "v1"', '*']) {
      const res = await app.request('/r', { headers: { 'if-none-match': tag } })
      expect(res.status).toBe(304)
      expect(await res.text()).toBe('')
      expect(res.headers.get('etag')).toBe('"v1"')
      expect(res.headers.get('cache-control')).toBe('max-age=60')
    }
    expect((await app.request('/r', { headers: { 'if-none-match': '"v0"' } })).status).toBe(200)
  })

  it('caches HEAD apart from GET and passes POST and authorized requests through', async () => {
    const { app, calls } = appWith({ 'cache-control': 'max-age=60' })
    const head = await app.request('/r', { method: 'HEAD' })
    expect([head.status, await head.text()]).toEqual([200, ''])
    expect(await (await app.request('/r')).text()).toBe('body 2 ')
    await app.request('/r', { method: 'HEAD' })
    expect(calls()).toBe(2)
    await app.request('/r', { method: 'POST' })
    await app.request('/r', { headers: { authorization: 'Bearer x' } })
    expect(calls()).toBe(4)
  })

  it('runs the handler once for 20 concurrent requests, and each its own when it may not store', async () => {
    const shared = appWith({ 'cache-control': 'max-age=60' })
    const responses = await Promise.all(Array.from({ length: 20 }, () => shared.app.request('/r')))
    expect(shared.calls()).toBe(1)
    const statuses = responses.map((r) => r.headers.get('cache-status'))
    expect(statuses.filter((s) => s === 'floodgate; fwd=miss; stored')).toHaveLength(1)
    expect(statuses.filter((s) => s === 'floodgate; fwd=miss; stored; collapsed')).toHaveLength(19)
    const personal = appWith({ 'cache-control': 'private' })
    const bodies = await Promise.all(
      Array.from({ length: 5 }, async () => (await personal.app.request('/r')).text()),
    )
    expect(personal.calls()).toBe(5)
    expect(new Set(bodies).size).toBe(5)
  })
})

describe('parseCacheControl', () => {
  it('reads the directives a shared cache honours', () => {
    expect(parseCacheControl('public, max-age=60, s-maxage="300", stale-while-revalidate=30')).toEqual({
      storable: true,
      maxAge: 300,
      staleWhileRevalidate: 30,
    })
    expect(parseCacheControl('no-cache="set-cookie", max-age=5')).toMatchObject({ storable: true, maxAge: 5 })
    expect(parseCacheControl('Private')).toMatchObject({ storable: false })
    expect(parseCacheControl(null)).toEqual({ storable: true, maxAge: undefined, staleWhileRevalidate: 0 })
  })
})
