/**
 * Issue 12, item 4: a body nested deeper than the contract (a command is an array of scalars, a
 * pipeline an array of those), or holding more values than --max-args / --max-commands, is refused
 * before it is built. 10 MB of `[[[[…` used to block the bridge for ~5 s and take half a gigabyte,
 * 10 MB of `,1,1,1…` 2.7 s and 500 MB; a PING sent meanwhile waited as long.
 */
import { describe, expect, it } from 'vitest'
import { cpuMsOf, rssOf } from '../support/rss.ts'
import { useValkey } from '../support/use-valkey.ts'
import { pingAlongside, post, READ_TOKEN, useBridgeProcess } from './support.ts'

const valkey = useValkey()
const bridge = useBridgeProcess(valkey, ['--read-only-token', READ_TOKEN])

const MAX_BODY = 10 * 1024 * 1024

/**
 * POSTs `body` while PINGing every 10 ms. Resolves with its answer, the slowest PING in ms, and
 * the CPU time the bridge spent meanwhile: an upper bound on how long it held its event loop
 * that, unlike a PING's wall-clock time, does not grow when other jobs load the machine.
 */
const whilePinging = async (path: string, text: string) => {
  // Encoded before the clock starts: this process should not stall its own PINGs.
  const body = Buffer.from(text)
  const cpuBefore = cpuMsOf(bridge.child.pid!)
  const pinger = pingAlongside(bridge.url)
  const answer = await fetch(bridge.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${READ_TOKEN}` },
    body,
  })
  const json = await answer.json()
  // A few more PINGs after the answer: the parse, if any, happens just before it.
  await new Promise((resolve) => setTimeout(resolve, 100))
  const { slowest, pings } = await pinger.stop()
  const cpu = cpuMsOf(bridge.child.pid!) - cpuBefore
  return { status: answer.status, json, slowest, pings, cpu }
}

describe('deeply nested JSON bodies', () => {
  it('refuses 10 MB of nested arrays with a 400 while a concurrent PING is answered, the bridge busy < 200 ms', async () => {
    const half = (MAX_BODY - 16) / 2
    const nested = '['.repeat(half) + ']'.repeat(half)
    const before = rssOf(bridge.child.pid!)
    for (const path of ['/pipeline', '/']) {
      const { status, json, slowest, pings, cpu } = await whilePinging(path, nested)
      expect(status).toBe(400)
      expect(json).toEqual({ error: expect.stringMatching(/nests too deeply/) })
      expect(pings).toBeGreaterThan(1)
      expect(cpu).toBeLessThan(200)
      expect(slowest).toBeLessThan(2000)
      console.log(
        `nested ${path}: slowest concurrent PING ${slowest.toFixed(1)} ms over ${pings} PINGs, bridge CPU ${cpu} ms`,
      )
    }
    const after = rssOf(bridge.child.pid!)
    console.log(`bridge RSS ${(before / 1e6).toFixed(0)} -> ${(after / 1e6).toFixed(0)} MB`)
    // The body itself is held a few times over (chunks, one Buffer, one string): a small multiple.
    expect(after - before).toBeLessThan(8 * MAX_BODY)
  }, 60_000)

  it('refuses nested objects the same way', async () => {
    const depth = 1_000_000
    const body = `["GET",${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}]`
    const { status, json, slowest, cpu } = await whilePinging('/', body)
    expect(status).toBe(400)
    expect(json).toEqual({ error: expect.stringMatching(/nests too deeply \(at byte 12\)/) })
    expect(cpu).toBeLessThan(200)
    expect(slowest).toBeLessThan(2000)
    console.log(`nested objects: slowest concurrent PING ${slowest.toFixed(1)} ms, bridge CPU ${cpu} ms`)
  }, 60_000)

  it('still names a misplaced argument one level down, and runs the contract shapes', async () => {
    expect((await post(bridge.url, ['GET', ['a']])).json).toEqual({
      error: expect.stringMatching(/argument 1 of the command is an array/),
    })
    expect((await post(`${bridge.url}/pipeline`, [[[['GET']]]])).json).toEqual({
      error: expect.stringMatching(/nests too deeply/),
    })
    // Brackets inside strings are data, not nesting.
    expect((await post(bridge.url, ['SET', 'k', '[[[["\\"]]]'])).json).toEqual({ result: 'OK' })
    expect(
      (
        await post(`${bridge.url}/pipeline`, [
          ['GET', 'k'],
          ['ECHO', '{{{'],
        ])
      ).json,
    ).toEqual([{ result: '[[[["\\"]]]' }, { result: '{{{' }])
  }, 60_000)

  it('refuses 10 MB bodies of millions of values with a 413 naming the limit, PINGs answered, the bridge busy < 200 ms', async () => {
    const cases: [string, string, RegExp][] = [
      [
        '/',
        `["DEL","k"${',1'.repeat(MAX_BODY / 2 - 8)}]`,
        /too many arguments in one request: 524\d+ \(the limit is 100000, set by --max-args\)/,
      ],
      [
        '/pipeline',
        `[${'["PING"],'.repeat(MAX_BODY / 9 - 1)}["PING"]]`,
        /too many arguments in one request: 116\d+ \(the limit is 100000/,
      ],
      [
        '/multi-exec',
        `[${'["INCR","n"],'.repeat(10_000)}["INCR","n"]]`,
        /too many commands in one request: 10001 \(the limit is 10000, set by --max-commands\)/,
      ],
    ]
    for (const [path, body, message] of cases) {
      const { status, json, slowest, cpu } = await whilePinging(path, body)
      expect(status).toBe(413)
      expect(json).toEqual({ error: expect.stringMatching(message) })
      expect(cpu).toBeLessThan(200)
      expect(slowest).toBeLessThan(2000)
      console.log(
        `${body.length} B to ${path}: slowest concurrent PING ${slowest.toFixed(1)} ms, bridge CPU ${cpu} ms`,
      )
    }
  }, 60_000)

  it('runs a command of 100 000 arguments and a pipeline of 10 000 commands, the limits themselves', async () => {
    const args = Array.from({ length: 99_998 }, (_, i) => `m${i}`)
    expect((await post(bridge.url, ['SADD', 'big', ...args])).json).toEqual({ result: 99_998 })
    const pipeline = Array.from({ length: 10_000 }, () => ['INCR', 'counted'])
    const replies = (await post(`${bridge.url}/pipeline`, pipeline)).json as { result: number }[]
    expect(replies).toHaveLength(10_000)
    expect(replies[9_999]).toEqual({ result: 10_000 })
  }, 60_000)
})
