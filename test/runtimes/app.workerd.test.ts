/**
 * The Cloudflare runner: examples/cloudflare built by `wrangler deploy --dry-run` from the
 * top-level wrangler.toml, run inside workerd by Miniflare, against Valkey over
 * `cloudflare:sockets` and through the bridge over fetch. workerd cancels work that was not
 * handed to `waitUntil` once the response is out, so the audit write the cases wait for
 * arrives only if the limiter's `pending` reached `ctx.waitUntil`.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Target } from './cases.ts'
import { buildWorker, compatibilityDate } from './support/bundle.ts'
import { runCases } from './support/run-cases.ts'
import { useStack } from './support/stack.ts'

const stack = useStack()
let script = ''
beforeAll(() => {
  script = readFileSync(join(buildWorker(), 'index.js'), 'utf8')
}, 60_000)

const poll = async (until: () => Promise<boolean>, ms = 5000) => {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (await until()) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const transports = {
  'Valkey over cloudflare:sockets': () => ({ FLOODGATE_URL: stack.redisUrl }),
  'the bridge over fetch': () => ({ FLOODGATE_URL: stack.bridgeUrl, FLOODGATE_TOKEN: stack.token }),
}

for (const [name, bindings] of Object.entries(transports)) {
  describe(`examples/cloudflare in workerd on ${name}`, () => {
    let mf: Miniflare | undefined
    beforeAll(async () => {
      mf = new Miniflare({
        modules: true,
        script,
        compatibilityDate: compatibilityDate(),
        bindings: bindings(),
      })
      await mf.ready
    }, 60_000)
    afterAll(() => mf?.dispose())

    const target: Target = {
      async fetch(path, { ip = '203.0.113.10', ...init } = {}) {
        const headers = new Headers(init.headers)
        headers.set('cf-connecting-ip', ip)
        const response = await mf!.dispatchFetch(`https://floodgate.example${path}`, {
          ...(init as object),
          headers: Object.fromEntries(headers),
        })
        return response as unknown as Response
      },
      settle: (until) => poll(until),
      counter: async (key) => stack.counter(key),
    }
    // The previous case's waitUntil work (a delayed audit write) cannot be awaited from outside
    // workerd: give it time to land before emptying Valkey, so it cannot leak into the next case.
    runCases(
      true,
      () => target,
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 250))
        stack.reset()
      },
    )
  })
}

describe('floodgate/cloudflare handle()', () => {
  let mf: Miniflare | undefined
  afterAll(() => mf?.dispose())
  const connected = () => Number(/connected_clients:(\d+)/.exec(stack.valkey.cli('INFO', 'clients'))![1])

  it('leaves no Valkey connection open after its requests over TCP', async () => {
    mf = new Miniflare({
      modules: true,
      script,
      compatibilityDate: compatibilityDate(),
      bindings: { FLOODGATE_URL: stack.redisUrl },
    })
    await mf.ready
    stack.reset()
    const before = connected()
    for (let i = 0; i < 4; i++) {
      const response = await mf.dispatchFetch('https://floodgate.example/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': `203.0.113.${30 + i}` },
        body: JSON.stringify({ username: `nobody-${i}`, password: 'wrong' }),
      })
      expect(response.status).toBe(401)
    }
    await poll(async () => connected() <= before)
    expect(connected()).toBe(before)
  }, 30_000)
})
