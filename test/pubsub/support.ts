/**
 * Helpers for the pub/sub tests: close a file's clients after its tests, read N messages with a
 * deadline, wait for a condition, publish until a resubscribed subscription hears it.
 */
import { afterAll } from 'vitest'
import type { Client, PubSubMessage, Subscription } from '../../src/index.ts'

/**
 * `const keep = useClients()` in a file: every client passed through `keep(client)` is closed
 * after the file's tests.
 */
export const useClients = (): (<C extends Client>(client: C) => C) => {
  const clients: Client[] = []
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()))
  })
  return (client) => {
    clients.push(client)
    return client
  }
}

/** Reads `n` messages from the subscription's iterator (shared between calls), or fails after `ms`. */
export const take = async (
  iterator: AsyncIterator<PubSubMessage>,
  n: number,
  ms = 10_000,
): Promise<PubSubMessage[]> => {
  const out: PubSubMessage[] = []
  const deadline = Date.now() + ms
  while (out.length < n) {
    const left = deadline - Date.now()
    let timer: ReturnType<typeof setTimeout> | undefined
    const result = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`got ${out.length} of ${n} messages in ${ms} ms`)),
          Math.max(1, left),
        )
      }),
    ]).finally(() => clearTimeout(timer))
    if (result.done) throw new Error(`the subscription ended after ${out.length} of ${n} messages`)
    out.push(result.value)
  }
  return out
}

export const iterate = (sub: Subscription): AsyncIterator<PubSubMessage> => sub[Symbol.asyncIterator]()

/** Polls `check` every 20 ms until it returns true, or fails after `ms`. */
export const until = async (check: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition') => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * Publishes with `send` until the iterator's next message arrives (a resubscribed connection
 * misses whatever was published before it is back), and returns that message; fails after `ms`.
 */
export const publishUntilReceived = async (
  iterator: AsyncIterator<PubSubMessage>,
  send: () => Promise<unknown>,
  what: string,
  ms = 30_000,
): Promise<PubSubMessage | undefined> => {
  let received = false
  const next = iterator.next().then((r) => {
    received = true
    return r
  })
  await until(
    async () => {
      if (!received) await send().catch(() => 0)
      return received
    },
    ms,
    what,
  )
  return (await next).value as PubSubMessage | undefined
}
