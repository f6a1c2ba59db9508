/**
 * Stateful sessions over TCP against a valkey-server started here: a request's load + save
 * (one field changed) measured in ops/s, and the round trips each takes counted at the socket
 * (every write the client makes is one batch sent, answered before the next await resumes).
 * The floor it is compared with: two PINGs, i.e. two bare round trips on the same client.
 */
import { connect } from '../../adapters/node/index.ts'
import type { Connect } from '../../src/client/socket.ts'
import { createSessions, createTcpClient } from '../../src/index.ts'
import { startValkey } from '../../test/support/valkey.ts'
import { PAYLOAD, timed } from './crypto.ts'

export const benchStateful = async (rounds: number, seconds: number) => {
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
    const twoPings = async () => {
      await client.send(['PING'])
      await client.send(['PING'])
    }
    await timed(0.5, loadSave) // loads the scripts (the first EVALSHA falls back to EVAL once)
    await timed(0.5, twoPings)

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
    const session: number[] = []
    const pings: number[] = []
    for (let round = 0; round < rounds; round++) {
      session.push(await timed(seconds, loadSave))
      pings.push(await timed(seconds, twoPings))
    }
    return { session, pings, loadTrips: trips.load / samples, saveTrips: trips.save / samples }
  } finally {
    await client.close()
    await server.stop()
  }
}
