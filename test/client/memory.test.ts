import { describe, expect, it } from 'vitest'
import { createMemoryClient } from '../../src/client/memory.ts'
import { defineScript } from '../../src/client/script.ts'
import { ConfigError, ReplyError } from '../../src/errors.ts'

const clock = (start = 1_700_000_000_000) => {
  const state = { t: start }
  return { state, now: () => state.t }
}

describe('createMemoryClient', () => {
  it('expires a key when the injected clock passes its TTL', async () => {
    const { state, now } = clock()
    const client = createMemoryClient({ now })
    expect(await client.send(['SET', 'k', 'v', 'PX', 100])).toBe('OK')
    expect(await client.send(['PTTL', 'k'])).toBe(100)
    state.t += 100
    expect(await client.send(['GET', 'k'])).toBe('v')
    state.t += 1
    expect(await client.send(['GET', 'k'])).toBeNull()
    expect(await client.send(['PTTL', 'k'])).toBe(-2)
  })

  it('runs a twin atomically and fails clearly for a script without one', async () => {
    const client = createMemoryClient()
    const script = defineScript({
      name: 'incrWithTtl',
      lua: "return redis.call('INCR', KEYS[1])",
      twin: (redis, keys, argv) => {
        const n = redis.call('INCR', keys[0]!)
        redis.call('PEXPIRE', keys[0]!, argv[0]!)
        return n
      },
    })
    expect(await client.eval(script, ['c'], [1000])).toBe(1)
    expect(await client.eval(script, ['c'], [1000])).toBe(2)
    expect(await client.send(['PTTL', 'c'])).toBe(1000)
    const lua = defineScript({ name: 'luaOnly', lua: 'return 1' })
    const error = await client.eval(lua, [], []).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toContain('luaOnly has no TypeScript twin')
  })

  it('answers WRONGTYPE with the server code', async () => {
    const client = createMemoryClient()
    await client.send(['HSET', 'h', 'f', '1'])
    const error = await client.send(['GET', 'h']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ReplyError)
    expect((error as ReplyError).code).toBe('WRONGTYPE')
  })
})
