/**
 * Issue 12, item 4: no request of `--max-body` bytes, of any shape, holds the bridge's event loop
 * in one stretch. For each 10 MB shape (refused or run, and a 10 MB reply) a PING goes out every
 * 10 ms while the bridge process measures its own longest event-loop stall (loop-stall.ts). The
 * bound asserted is the most CPU time the bridge spent between two ticks of its loop: that is its
 * own work, where the wall-clock stall also holds the waits for a core on a loaded machine.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { rssOf } from '../support/rss.ts'
import { useValkey } from '../support/use-valkey.ts'
import { pingAlongside, TOKEN, useBridgeProcess } from './support.ts'

const valkey = useValkey()
const bridge = useBridgeProcess(
  valkey,
  [],
  ['--import', join(import.meta.dirname, '../support/loop-stall.ts')],
)

const MAX_BODY = 10 * 1024 * 1024

interface Stall {
  wallMs: number
  cpuMs: number
  busiestMs: number
  gcMs: number
}

/** Asks the bridge for its longest stall since the last call (and starts a new measure). */
const stall = async (): Promise<Stall> => {
  const seen = bridge.stderr().split('loop-stall ').length
  bridge.child.kill('SIGUSR2')
  for (let i = 0; i < 500; i++) {
    const parts = bridge.stderr().split('loop-stall ')
    if (parts.length > seen) return JSON.parse(parts[parts.length - 1]!.split('\n')[0]!) as Stall
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`the bridge did not report its loop stall:\n${bridge.stderr()}`)
}

/** POSTs `text` while PINGing every 10 ms; the answer, the slowest PING and the bridge's stall. */
const whilePinging = async (path: string, text: string, headers: Record<string, string> = {}) => {
  const body = Buffer.from(text)
  await new Promise((resolve) => setTimeout(resolve, 50))
  await stall()
  const before = rssOf(bridge.child.pid!)
  let peak = before
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssOf(bridge.child.pid!))
  }, 5)
  const pinger = pingAlongside(bridge.url)
  const answer = await fetch(bridge.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
    body,
  })
  const reply = await answer.text()
  await new Promise((resolve) => setTimeout(resolve, 100))
  const { slowest, pings } = await pinger.stop()
  clearInterval(sampler)
  const measured = await stall()
  return { status: answer.status, reply, slowest, pings, before, peak, ...measured }
}

const cases: Array<[string, string, () => string, number, (reply: string) => void, Record<string, string>?]> =
  [
    [
      '5 M nested arrays, refused',
      '/pipeline',
      () => '['.repeat((MAX_BODY - 16) / 2) + ']'.repeat((MAX_BODY - 16) / 2),
      400,
      (reply) => expect(reply).toMatch(/nests too deeply/),
    ],
    [
      'a command of 5 M numbers, refused',
      '/',
      () => `["DEL","k"${',1'.repeat(MAX_BODY / 2 - 8)}]`,
      413,
      (reply) => expect(reply).toMatch(/too many arguments in one request: 524\d+/),
    ],
    [
      'a pipeline of 1.3 M PINGs, refused',
      '/pipeline',
      () => `[${'["PING"],'.repeat(MAX_BODY / 9 - 1)}["PING"]]`,
      413,
      (reply) => expect(reply).toMatch(/too many arguments in one request: 116\d+/),
    ],
    [
      'a command of 100 000 arguments of 100 bytes, run',
      '/',
      () =>
        JSON.stringify([
          'SADD',
          'members',
          ...Array.from({ length: 99_998 }, (_, i) => `${i}`.padStart(100, 'm')),
        ]),
      200,
      (reply) => expect(JSON.parse(reply)).toEqual({ result: expect.any(Number) }),
    ],
    [
      'a pipeline of 10 000 commands of 10 arguments, run',
      '/pipeline',
      () =>
        JSON.stringify(
          Array.from({ length: 10_000 }, (_, i) => [
            'RPUSH',
            `list${i % 10}`,
            ...Array(8).fill(`${i}`.padStart(100, 'v')),
          ]),
        ),
      200,
      (reply) => {
        const items = JSON.parse(reply) as { result: number }[]
        expect(items).toHaveLength(10_000)
        expect(items.every((item) => typeof item.result === 'number')).toBe(true)
      },
    ],
    [
      'one 10 MB string (SET), run',
      '/',
      () => JSON.stringify(['SET', 'big', 'x'.repeat(MAX_BODY - 32)]),
      200,
      (reply) => expect(reply).toBe('{"result":"OK"}'),
    ],
    [
      'one string of 5 M escapes (SET of newlines), run',
      '/',
      () => `["SET","escaped","${'\\n'.repeat((MAX_BODY - 32) / 2)}"]`,
      200,
      (reply) => expect(reply).toBe('{"result":"OK"}'),
    ],
    [
      'a raw 10 MB body (POST /set/raw), run',
      '/set/raw',
      () => 'r'.repeat(MAX_BODY),
      200,
      (reply) => expect(reply).toBe('{"result":"OK"}'),
    ],
    [
      'one number of 10 M digits, refused',
      '/',
      () => `["SET","n",${'1'.repeat(MAX_BODY - 16)}]`,
      400,
      (reply) => expect(reply).toMatch(/argument 2 of the command is not a finite number/),
    ],
    [
      'a 10 MB reply (GET of that string)',
      '/',
      () => JSON.stringify(['GET', 'big']),
      200,
      (reply) => {
        expect(reply.length).toBe(MAX_BODY - 32 + 13)
        expect(reply.startsWith('{"result":"xxx')).toBe(true)
      },
    ],
    [
      'a 10 MB reply in base64 (GET, Upstash-Encoding: base64, as @upstash/redis asks)',
      '/',
      () => JSON.stringify(['GET', 'big']),
      200,
      (reply) => {
        const { result } = JSON.parse(reply) as { result: string }
        expect(result.length).toBe(Math.ceil((MAX_BODY - 32) / 3) * 4)
        expect(Buffer.from(result, 'base64').equals(Buffer.alloc(MAX_BODY - 32, 'x'))).toBe(true)
      },
      { 'upstash-encoding': 'base64' },
    ],
  ]

describe('10 MB requests do not hold the event loop', () => {
  for (const [name, path, make, status, check, headers] of cases) {
    it(`${name}: the bridge never works 100 ms without returning to its event loop, nor grows by 8 times the body`, async () => {
      const result = await whilePinging(path, make(), headers)
      expect(result.status).toBe(status)
      check(result.reply)
      expect(result.pings).toBeGreaterThan(1)
      console.log(
        `${name}: longest stall ${result.wallMs} ms (CPU ${result.cpuMs} ms in it), most CPU between two loop ticks ${result.busiestMs} ms, longest GC pause ${result.gcMs} ms, slowest PING ${result.slowest.toFixed(0)} ms over ${result.pings}, RSS ${(result.before / 1e6).toFixed(0)} MB, peak +${((result.peak - result.before) / 1e6).toFixed(0)} MB`,
      )
      expect(result.busiestMs).toBeLessThan(100)
      // The body is held a few times over at most (received, parsed into views, encoded, sent).
      expect(result.peak - result.before).toBeLessThan(8 * MAX_BODY)
    }, 60_000)
  }
})
