/**
 * A script that never ends is ended by the bridge: once a request has waited `--upstream-timeout`
 * the bridge sends SCRIPT KILL / FUNCTION KILL on its admin connection, so no token holds Valkey
 * longer than that plus a second. Regression of issue 12 (item 3): a read-only token's endless
 * `EVAL_RO` made Valkey answer BUSY to everyone, and the bridge refused the SCRIPT KILL.
 */
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { useValkey } from '../support/use-valkey.ts'
import { post, READ_TOKEN, useBridge } from './support.ts'

const TIMEOUT = 1000
const valkey = useValkey()
const bridge = useBridge(valkey, { upstreamTimeout: TIMEOUT })

/**
 * When Valkey is free again, seen by another client: a connection of its own sends PING every
 * 10 ms (Valkey answers BUSY while the script runs) and the first PONG marks the script's end.
 */
const freeAgain = (port: number): Promise<number> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const timer = setInterval(() => socket.write('PING\r\n'), 10)
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      if (!chunk.includes('+PONG')) return
      const at = performance.now()
      clearInterval(timer)
      socket.destroy()
      resolve(at)
    })
  })

/** Runs `loop` (a request that never ends by itself) and measures when Valkey serves again. */
const measure = async (what: string, loop: () => Promise<{ status: number }>): Promise<number> => {
  const started = performance.now()
  const answer = loop()
  // Give the script time to start before the probe's first PING queues behind it.
  await new Promise((resolve) => setTimeout(resolve, 100))
  const free = await freeAgain(valkey.server.port)
  expect((await answer).status).toBe(504)
  const ended = free - started
  console.log(`${what} ended ${Math.round(ended)} ms after it started (--upstream-timeout ${TIMEOUT})`)
  // And the bridge serves everyone again.
  expect((await post(bridge.url, ['PING'])).json).toEqual({ result: 'PONG' })
  return ended
}

describe('a runaway script', () => {
  it('is ended within --upstream-timeout + 1 s when a read-only token loops in EVAL_RO', async () => {
    // Warm: the HTTP client and both upstream connections are open, so the clock times the
    // script and its end, not a first connection.
    expect((await post(bridge.url, ['PING'], { authorization: `Bearer ${READ_TOKEN}` })).status).toBe(200)
    const ended = await measure('endless EVAL_RO', () =>
      post(bridge.url, ['EVAL_RO', 'while true do end', '0'], { authorization: `Bearer ${READ_TOKEN}` }),
    )
    // The bound the issue sets: the timeout plus a second.
    expect(ended).toBeLessThan(TIMEOUT + 1000)
  })

  it('is ended the same way when a full token loops in a function (FUNCTION KILL)', async () => {
    const library = [
      '#!lua name=spin',
      "server.register_function{function_name='spin', callback=function() while true do end end, flags={'no-writes'}}",
    ].join('\n')
    expect((await post(bridge.url, ['FUNCTION', 'LOAD', 'REPLACE', library])).status).toBe(200)
    const ended = await measure('endless FCALL', () => post(bridge.url, ['FCALL', 'spin', '0']))
    expect(ended).toBeLessThan(TIMEOUT + 1000)
  })
})
