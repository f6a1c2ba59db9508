/**
 * The Vercel runner: examples/vercel-edge bundled under Vercel's edge conditions and run in the
 * `edge-runtime` VM (no `process` beyond what Vercel gives, no Node APIs, no eval), against the
 * bridge over fetch: Vercel Edge has no TCP. `settle()` awaits the responses' `waitUntil()`;
 * the audit write arrives after a delay, so it is there only if `pending` reached Vercel's
 * request-context `waitUntil`.
 */
import { EdgeRuntime } from 'edge-runtime'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Target } from './cases.ts'
import { buildVercelEdge } from './support/bundle.ts'
import { runCases } from './support/run-cases.ts'
import { useStack } from './support/stack.ts'

const stack = useStack()
let code = ''
beforeAll(async () => {
  code = await buildVercelEdge()
}, 60_000)

const vm = (env: Record<string, string>) =>
  new EdgeRuntime({
    initialCode: code,
    extend: (context) => Object.assign(context, { process: { env } }),
  })

describe('examples/vercel-edge in the edge-runtime VM on the bridge', () => {
  let runtime: EdgeRuntime | undefined
  const background: Promise<unknown>[] = []
  const target: Target = {
    async fetch(path, { ip = '203.0.113.20', ...init } = {}) {
      const headers = new Headers(init.headers)
      headers.set('x-real-ip', ip)
      const response = await runtime!.dispatchFetch(`https://floodgate.example${path}`, {
        ...(init as object),
        headers,
      })
      background.push(response.waitUntil())
      return response as unknown as Response
    },
    settle: async () => {
      await Promise.all(background.splice(0))
    },
    counter: async (key) => stack.counter(key),
    handed: async () => Number(await runtime!.evaluate('globalThis.handedToWaitUntil')),
  }
  // A fresh isolate per case, as the limiters' in-process block cache would outlive the FLUSHALL.
  runCases(
    true,
    () => target,
    async () => {
      await Promise.all(background.splice(0))
      stack.reset()
      runtime = vm({ FLOODGATE_URL: stack.bridgeUrl, FLOODGATE_TOKEN: stack.token })
    },
  )
})

describe('floodgate/vercel configuration', () => {
  it('refuses a redis:// URL with a ConfigError that points at the bridge', () => {
    expect(() => vm({ FLOODGATE_URL: 'redis://127.0.0.1:6379' })).toThrow(
      /Vercel Edge has no TCP sockets, so FLOODGATE_URL cannot be a redis:\/\/ URL: run `floodgate bridge`/,
    )
  })

  it('refuses a missing URL rather than limiting per isolate', () => {
    expect(() => vm({})).toThrow(/FLOODGATE_URL is not set/)
  })
})
