/**
 * The memory backend's behaviour cases against a real Valkey 8: this proves the expected replies
 * in `cases.ts` are Valkey's, so the memory run of the same table proves the memory backend.
 */
import { Valkey } from 'iovalkey'
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest'
import type { Arg, Client, Reply } from '../../../src/client/types.ts'
import { ReplyError } from '../../../src/errors.ts'
import { useValkey } from '../../support/use-valkey.ts'
import { runCase } from './behaviour.ts'
import { allCases } from './cases.ts'

const valkey = useValkey()

const toReply = (value: unknown): Reply =>
  Buffer.isBuffer(value)
    ? new Uint8Array(value)
    : Array.isArray(value)
      ? value.map(toReply)
      : (value as Reply)
const toArg = (arg: Arg): string | number | Buffer => (arg instanceof Uint8Array ? Buffer.from(arg) : arg)

let redis: Valkey
const client: Pick<Client, 'send'> = {
  async send(command, options) {
    const [name, ...args] = command.map(toArg)
    try {
      const reply = options?.bytes
        ? await redis.callBuffer(String(name), ...args)
        : await redis.call(String(name), ...args)
      return toReply(reply)
    } catch (error) {
      throw new ReplyError((error as Error).message)
    }
  },
}

beforeAll(() => {
  redis = new Valkey(valkey.url, { lazyConnect: false, maxRetriesPerRequest: 0 })
})
afterAll(() => redis.disconnect())
beforeEach(async () => {
  await redis.flushdb()
})

describe('memory backend behaviour cases, on Valkey', () => {
  for (const behaviour of allCases) {
    it(behaviour.name, () => runCase(client as Client, behaviour))
  }
})
