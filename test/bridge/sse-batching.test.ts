/**
 * The bridge writes the events of one Valkey read as one piece of the SSE body, not one write per
 * message: a burst of published messages reaches the reader in a few HTTP chunks, every event
 * whole and in order.
 */
import { describe, expect, it } from 'vitest'
import { useValkey } from '../support/use-valkey.ts'
import { chunksOf, rawSubscribe, useBridgeProcess, usePublisher } from './support.ts'

const valkey = useValkey()
const bridge = useBridgeProcess(valkey)
const publisher = usePublisher(valkey)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the bridge SSE writer', () => {
  it('sends a burst of 200 published messages in a few chunks, each event whole and in order', async () => {
    const { socket, received } = await rawSubscribe(bridge.url, 'burst')
    const before = chunksOf(received()).length
    const payload = 'p'.repeat(200)
    await publisher.pipeline(Array.from({ length: 200 }, (_, i) => ['PUBLISH', 'burst', `${i} ${payload}`]))
    for (let i = 0; i < 200 && chunksOf(received()).join('').split('data: message,').length <= 200; i++)
      await sleep(25)
    socket.destroy()
    const chunks = chunksOf(received()).slice(before)
    const events = chunks.join('').split('\n\n').filter(Boolean)
    expect(events).toEqual(Array.from({ length: 200 }, (_, i) => `data: message,burst,${i} ${payload}`))
    // One per Valkey read, not one per message (a per-message writer sends 200).
    expect(chunks.length).toBeLessThan(50)
  })
})
