/**
 * The Sentinel client inside Deno (`Deno.connect`): it finds the primary named by the Sentinels
 * in `SENTINEL_URL`, and after a planned `SENTINEL FAILOVER` (asked of the first Sentinel, port
 * `SENTINEL_PORT`) its `+switch-master` watch moves it to the promoted replica. Run by
 * `test/runtimes/sentinel.test.ts`.
 */
import { connect } from '../../../adapters/deno/socket.ts'
import { createTcpClient } from '../../../src/client/tcp/client.ts'
import { createSentinelClient } from '../../../src/client/tcp/sentinel/client.ts'
import { simpleAssert } from '../../client/assert.ts'
import { Deno } from './deno.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

Deno.test({
  name: 'finds the primary, then follows a planned failover to the promoted replica',
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const client = createSentinelClient({ url: Deno.env.get('SENTINEL_URL')!, connect })
    const sentinel = createTcpClient({
      host: '127.0.0.1',
      port: Number(Deno.env.get('SENTINEL_PORT')),
      connect,
    })
    try {
      simpleAssert.equal(await client.send(['SET', 'deno', 'before']), 'OK')
      const before = client.address!.port
      await client.send(['WAIT', 1, 2000])
      simpleAssert.equal(await sentinel.send(['SENTINEL', 'FAILOVER', 'mymaster']), 'OK')
      for (let i = 0; i < 200 && client.address?.port === before; i++) await sleep(50)
      simpleAssert.equal(client.address!.port !== before, true)
      simpleAssert.equal(await client.send(['GET', 'deno']), 'before')
      simpleAssert.equal(((await client.send(['ROLE'])) as string[])[0], 'master')
    } finally {
      await sentinel.close()
      await client.close()
    }
  },
})
