/**
 * The example app on Node (examples/node), served by @hono/node-server over real HTTP, against
 * Valkey over TCP, through the bridge over HTTP, and on the in-process memory backend. Each case
 * gets a fresh server (the limiters' in-process block cache would otherwise outlive the FLUSHALL).
 * Background work is proven to reach the tracker: `settle()` is the server's
 * `background.drain()`, and the audit write the cases look for happens only after a delay, so
 * it is there only if it was handed to `c.executionCtx.waitUntil`.
 */

import { createBackground } from 'floodgate/node'
import { afterAll, describe } from 'vitest'
import { type Started, start } from '../../examples/node/start.ts'
import { counting } from './cases.ts'
import { runCases } from './support/run-cases.ts'
import { useStack } from './support/stack.ts'

const stack = useStack()

const backends: Record<string, () => Record<string, string>> = {
  'Valkey over TCP': () => ({ FLOODGATE_URL: stack.redisUrl }),
  'the bridge over HTTP': () => ({ FLOODGATE_URL: stack.bridgeUrl, FLOODGATE_TOKEN: stack.token }),
  'the memory backend': () => ({}),
}

for (const [name, env] of Object.entries(backends)) {
  describe(`examples/node on ${name}`, () => {
    let app: Started | undefined
    let background = counting(createBackground())
    afterAll(() => app?.stop())
    runCases(
      false,
      () => ({
        fetch: (path, init) => fetch(app!.url.replace('localhost', '127.0.0.1') + path, init),
        settle: () => app!.background.drain(),
        counter: async (key) => Number((await app!.client.send(['GET', key])) ?? 0),
        handed: async () => background.handed,
      }),
      async () => {
        await app?.stop()
        stack.reset()
        background = counting(createBackground())
        app = await start({ port: 0, env: env(), background })
      },
    )
  })
}
