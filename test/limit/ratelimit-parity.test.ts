/**
 * `Ratelimit`'s parity features where floodgate's semantics differ from `@upstash/ratelimit`'s, on
 * a real Valkey: deny lists (refund, in-process hits, the automatic IP list from a local ipsum
 * mirror), dynamic limits across instances, cachedFixedWindow, MultiRegionRatelimit and the
 * misuse errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/bridge/node/socket.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import type { Client } from '../../src/client/types.ts'
import { disableIpDenyList, ipListKey, updateIpDenyList } from '../../src/limit/ip-deny-list.ts'
import { MultiRegionRatelimit } from '../../src/limit/multi-region.ts'
import { Ratelimit } from '../../src/limit/ratelimit.ts'
import { startHttpServer, type TestHttpServer } from '../support/http-server.ts'
import { useValkey } from '../support/use-valkey.ts'

const valkey = useValkey()
const other = useValkey()
let client: Client
let client2: Client
let ipsum: TestHttpServer
const served: string[] = []
beforeAll(async () => {
  client = createTcpClient({ url: valkey.url, connect })
  client2 = createTcpClient({ url: other.url, connect })
  // A local stand-in for ipsum's levels/<n>.txt: comment lines, then one IP (and a count) a line.
  ipsum = await startHttpServer((request, response) => {
    served.push(request.path)
    response.end('# ipsum\n# comment\n192.0.2.1\t7\n192.0.2.2\t6\n')
  })
})
afterAll(async () => {
  await client.close()
  await client2.close()
  await ipsum.close()
})

describe('Ratelimit deny lists (enableProtection)', () => {
  it('refuses a listed value with its reason, refunds the call, and answers repeats from memory', async () => {
    const ratelimit = new Ratelimit({
      redis: client,
      prefix: 'deny1',
      limiter: Ratelimit.fixedWindow(3, '1 h'),
      enableProtection: true,
      ipDenyList: false,
    })
    await ratelimit.denyList.add('BadBot/1.0')
    const denied = await ratelimit.limit('user-1', { userAgent: 'BadBot/1.0', country: 'NL' })
    expect([denied.success, denied.reason, denied.deniedValue]).toEqual([false, 'denyList', 'BadBot/1.0'])
    await denied.pending
    // The refused call consumed nothing: the user still has all 3.
    expect((await ratelimit.getRemaining('user-1')).remaining).toBe(3)
    // Removed from Valkey behind this instance's back, the value is still refused from memory.
    await client.send(['SREM', 'deny1:denyList:all', 'BadBot/1.0'])
    const again = await ratelimit.limit('user-1', { userAgent: 'BadBot/1.0' })
    expect([again.success, again.reason, again.limit]).toEqual([false, 'denyList', 3])
    // remove() forgets it here too.
    await ratelimit.denyList.remove('BadBot/1.0')
    expect((await ratelimit.limit('user-1', { userAgent: 'BadBot/1.0' })).success).toBe(true)
  })

  it('loads the automatic IP list from the configured mirror once, keeping values the app added', async () => {
    const before = served.length
    const ratelimit = new Ratelimit({
      redis: client,
      prefix: 'deny2',
      limiter: Ratelimit.slidingWindow(10, '1 m'),
      enableProtection: true,
      denyListThreshold: 3,
      ipDenyList: { url: ipsum.url },
    })
    await ratelimit.denyList.add('mine')
    const first = await ratelimit.limit('u', { ip: '198.51.100.1' })
    await first.pending
    expect(served.slice(before)).toEqual(['/3.txt'])
    const listed = await ratelimit.limit('u', { ip: '192.0.2.2' })
    expect([listed.success, listed.deniedValue]).toEqual([false, '192.0.2.2'])
    expect(((await client.send(['SMEMBERS', ipListKey('deny2')])) as string[]).sort()).toEqual([
      '192.0.2.1',
      '192.0.2.2',
    ])
    // A refresh replaces the IPs, never the app's own values; disabling removes the IPs only.
    expect(await updateIpDenyList(client, 'deny2', 3, 60_000, { url: ipsum.url })).toBe(2)
    await disableIpDenyList(client, 'deny2')
    expect(await client.send(['SMEMBERS', 'deny2:denyList:all'])).toEqual(['mine'])
    expect(await client.send(['GET', 'deny2:ipDenyListStatus'])).toBe('disabled')
  })
})

describe('Ratelimit dynamic limits', () => {
  it('apply at once where set and within a second on another instance, on Upstash key', async () => {
    const make = () =>
      new Ratelimit({
        redis: client,
        prefix: 'dyn',
        limiter: Ratelimit.tokenBucket(1, '1 h', 10),
        dynamicLimits: true,
      })
    const a = make()
    const b = make()
    expect((await b.limit('x')).limit).toBe(10) // b has read "no dynamic limit"
    await a.setDynamicLimit({ limit: 4 })
    expect((await a.limit('y')).limit).toBe(4)
    expect(await client.send(['GET', 'dyn:dynamic:global'])).toBe('4')
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const seen = await b.limit('z') // starts the refresh
    await seen.pending
    expect((await b.limit('z')).limit).toBe(4)
    await a.setDynamicLimit({ limit: false })
    expect(await a.getDynamicLimit()).toEqual({ dynamicLimit: null })
  })

  it('refuses setDynamicLimit without dynamicLimits, and bad values', async () => {
    const plain = new Ratelimit({ redis: client, limiter: Ratelimit.fixedWindow(1, '1 s') })
    await expect(plain.setDynamicLimit({ limit: 3 })).rejects.toThrow(/pass dynamicLimits: true/)
    const dynamic = new Ratelimit({
      redis: client,
      limiter: Ratelimit.fixedWindow(1, '1 s'),
      dynamicLimits: true,
    })
    await expect(dynamic.setDynamicLimit({ limit: 0 })).rejects.toThrow(/positive whole number or false/)
  })
})

describe('Ratelimit.cachedFixedWindow', () => {
  it('never admits past the limit across instances (Upstash admits from process memory)', async () => {
    const make = () =>
      new Ratelimit({ redis: client, prefix: 'cfw', limiter: Ratelimit.cachedFixedWindow(3, '1 h') })
    const [a, b] = [make(), make()]
    const answers = []
    for (let i = 0; i < 4; i++) answers.push((await a.limit('k')).success, (await b.limit('k')).success)
    expect(answers.filter(Boolean)).toHaveLength(3)
    expect(await client.send(['PTTL', '{cfw:k}:fw:3600000'])).toBeGreaterThan(0)
    expect(
      () =>
        new Ratelimit({
          redis: client,
          limiter: Ratelimit.cachedFixedWindow(3, '1 h'),
          ephemeralCache: false,
        }),
    ).toThrow(/needs the ephemeral cache/)
  })
})

describe('MultiRegionRatelimit', () => {
  it('decides in every region, never lets remaining go negative, and resets everywhere', async () => {
    const ratelimit = new MultiRegionRatelimit({
      redis: [client, client2],
      prefix: 'multi',
      limiter: MultiRegionRatelimit.fixedWindow(3, '1 h'),
    })
    const results = []
    for (let i = 0; i < 5; i++) {
      const result = await ratelimit.limit('m')
      await result.pending
      results.push([result.success, result.remaining])
    }
    expect(results).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
      [false, 0],
    ])
    for (const c of [client, client2]) expect(await c.send(['EXISTS', '{multi:m}:fw:3600000'])).toBe(1)
    await ratelimit.resetUsedTokens('m')
    for (const c of [client, client2]) expect(await c.send(['EXISTS', '{multi:m}:fw:3600000'])).toBe(0)
  })
})
