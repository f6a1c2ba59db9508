/**
 * Runs inside Deno (`deno test`, started by test/runtimes/app.deno.test.ts): the example app
 * (examples/deno) served by `Deno.serve`, the shared cases sent to it over real HTTP. Valkey is
 * emptied before each case through a client of our own (VALKEY_URL, over `Deno.connect`).
 */
import { createTcpClient } from 'floodgate'
import { connect, createBackground } from 'floodgate/deno'
import { start } from '../../../examples/deno/start.ts'
import { assert, cases, counting, type Target } from '../cases.ts'

Deno.test('examples/deno', async (t) => {
  const valkey = createTcpClient({ url: Deno.env.get('VALKEY_URL')!, connect })
  try {
    for (const c of cases.filter((c) => !c.needsIp)) {
      await t.step(c.name, async () => {
        // A fresh server per case: the limiters' in-process block cache would outlive the FLUSHALL.
        await valkey.send(['FLUSHALL'])
        const background = counting(createBackground())
        const app = start({ port: 0, background })
        const base = app.url.replace('localhost', '127.0.0.1')
        const target: Target = {
          fetch: (path, init) => fetch(base + path, init),
          settle: () => app.background.drain(),
          counter: async (key) => Number((await valkey.send(['GET', key])) ?? 0),
          handed: async () => background.handed,
        }
        try {
          await c.run(target, assert)
        } finally {
          await app.stop()
        }
      })
    }
  } finally {
    await valkey.close()
  }
})
