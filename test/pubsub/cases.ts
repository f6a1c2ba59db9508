/**
 * The pub/sub cases as plain functions, for runners inside workerd, the edge-runtime VM and Deno
 * (no vitest there): delivery in order, patterns, unsubscribe, close(). Each case gets a client to
 * subscribe with and one to publish with, and throws when the behaviour is wrong.
 */
import type { Client } from '../../src/client/types.ts'
import { psubscribe, publish, subscribe } from '../../src/pubsub/index.ts'
import type { PubSubMessage, Subscription } from '../../src/pubsub/types.ts'

export interface CaseResult {
  name: string
  ok: boolean
  error?: string
}

const equal = (actual: unknown, expected: unknown, what: string) => {
  const a = JSON.stringify(actual)
  const e = JSON.stringify(expected)
  if (a !== e) throw new Error(`${what}: expected ${e}, received ${a}`)
}

const take = async (sub: Subscription, n: number): Promise<PubSubMessage[]> => {
  const iterator = sub[Symbol.asyncIterator]()
  const out: PubSubMessage[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`received ${out.length} of ${n} messages in 10 s`)), 10_000)
  })
  try {
    while (out.length < n) {
      const result = await Promise.race([iterator.next(), deadline])
      if (result.done) throw new Error(`the subscription ended after ${out.length} of ${n}`)
      out.push(result.value)
    }
  } finally {
    clearTimeout(timer)
  }
  return out
}

const id = () => Math.random().toString(36).slice(2)

export const pubsubCases: Array<{ name: string; run(sub: Client, pub: Client): Promise<void> }> = [
  {
    name: 'delivers 100 messages of a channel in publish order',
    async run(client, pub) {
      const channel = `order:${id()}`
      const sub = subscribe(client, channel)
      await sub.ready
      const sent = Array.from({ length: 100 }, (_, i) => `m${i},\n${i}`)
      for (const m of sent) await publish(pub, channel, m)
      const got = await take(sub, 100)
      equal(
        got.map((m) => m.message),
        sent,
        'messages',
      )
      await sub.close()
    },
  },
  {
    name: 'matches a pattern and names it',
    async run(client, pub) {
      const base = id()
      const sub = psubscribe(client, `${base}:*`)
      await sub.ready
      await publish(pub, `${base}-no`, 'x')
      await publish(pub, `${base}:1`, 'one')
      equal(await take(sub, 1), [{ channel: `${base}:1`, message: 'one', pattern: `${base}:*` }], 'message')
      await sub.close()
    },
  },
  {
    name: 'stops a channel after unsubscribe',
    async run(client, pub) {
      const keep = `keep:${id()}`
      const drop = `drop:${id()}`
      const sub = subscribe(client, [keep, drop])
      await sub.ready
      await sub.unsubscribe(drop)
      await publish(pub, drop, 'gone')
      await publish(pub, keep, 'kept')
      equal(await take(sub, 1), [{ channel: keep, message: 'kept' }], 'message')
      await sub.close()
    },
  },
  {
    name: 'close() ends the iteration',
    async run(client) {
      const sub = subscribe(client, `close:${id()}`)
      await sub.ready
      const next = sub[Symbol.asyncIterator]().next()
      await sub.close()
      equal(await next, { done: true }, 'after close')
    },
  },
]

export const runPubsubCases = async (sub: Client, pub: Client): Promise<CaseResult[]> => {
  const results: CaseResult[] = []
  for (const testCase of pubsubCases) {
    try {
      await testCase.run(sub, pub)
      results.push({ name: testCase.name, ok: true })
    } catch (error) {
      results.push({
        name: testCase.name,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      })
    }
  }
  return results
}
