/**
 * Stateful sessions over TCP against a valkey-server started here: a request's load + save
 * (one field changed) measured in ops/s, and the round trips each takes counted at the socket
 * (every write the client makes is one batch sent, answered before the next await resumes).
 * Compared with the floor, two PINGs (two bare round trips) on the same client, and with the peer
 * users come from: express-session + connect-redis, whose load is `GET sess:<id>` and whose save is
 * `SET sess:<id> <whole JSON> EX <ttl>`, here over node-redis (the client connect-redis 9 needs).
 */
import { createClient as createNodeRedis } from 'redis'
import { connect } from '../../adapters/node/index.ts'
import type { Connect } from '../../src/client/tcp/socket.ts'
import { createSessions, createTcpClient } from '../../src/index.ts'
import { startValkey } from '../../test/support/valkey.ts'
import { PAYLOAD } from './crypto.ts'
import { interleave } from './measure.ts'

export const benchStateful = async (slices: number, sliceMs: number) => {
  const server = await startValkey()
  let writes = 0
  const counting: Connect = async (options, handlers) => {
    const socket = await connect(options, handlers)
    return {
      write: (data) => {
        writes++
        socket.write(data)
      },
      close: () => socket.close(),
    }
  }
  const client = createTcpClient({ url: server.url, connect: counting })
  try {
    const sessions = createSessions<typeof PAYLOAD>({ client })
    const first = await sessions.load(new Request('https://x/'))
    for (const [key, value] of Object.entries(PAYLOAD)) first.set(key as 'ver', value as number)
    const cookie = (await first.commit()).getSetCookie()[0]!.split(';')[0]!
    const req = new Request('https://x/', { headers: { cookie } })
    let n = 0
    const loadSave = async () => {
      const session = await sessions.load(req)
      session.set('views', ++n)
      await session.commit()
    }
    const peer = createNodeRedis({ url: server.url })
    await peer.connect()
    const peerKey = `sess:${cookie.split('=')[1]}`
    await peer.set(peerKey, JSON.stringify(PAYLOAD), { EX: 1800 })
    const connectRedis = async () => {
      const json = await peer.get(peerKey)
      const data = JSON.parse(json!) as typeof PAYLOAD
      data.views = ++n
      await peer.set(peerKey, JSON.stringify(data), { EX: 1800 })
    }
    const twoPings = async () => {
      await client.send(['PING'])
      await client.send(['PING'])
    }
    await loadSave() // loads the scripts (the first EVALSHA falls back to EVAL once)
    const trips = { load: 0, save: 0 }
    const samples = 200
    for (let i = 0; i < samples; i++) {
      let before = writes
      const session = await sessions.load(req)
      trips.load += writes - before
      session.set('views', ++n)
      before = writes
      await session.commit()
      trips.save += writes - before
    }
    const results = await interleave(
      [
        ['floodgate stateful load+save (one field changed)', loadSave],
        ['floor, two PINGs on the same client', twoPings],
        ['peer, connect-redis pattern (GET + SET EX of the whole JSON, node-redis)', connectRedis],
      ],
      slices,
      sliceMs,
    )
    await peer.quit()
    return { results, loadTrips: trips.load / samples, saveTrips: trips.save / samples }
  } finally {
    await client.close()
    await server.stop()
  }
}
