import { describe, expect, it } from 'vitest'
import { createMemoryClient } from '../../../src/client/memory/client.ts'
import { defineScript, runScript, scriptSha } from '../../../src/client/script.ts'
import type { Command, Reply, TwinContext } from '../../../src/client/types.ts'
import { ConfigError, ReplyError, TimeoutError, TransportError } from '../../../src/errors.ts'
import { counter } from './cases.ts'

const START = 1_700_000_000_000

/** A clock the test moves by hand. */
const manualClock = () => {
  const clock = { t: START, now: () => clock.t }
  return clock
}

describe('createMemoryClient: expiry', () => {
  it('expires a key once the injected clock passes its TTL, not before', async () => {
    const clock = manualClock()
    const client = createMemoryClient({ now: clock.now })
    expect(await client.send(['SET', 'k', 'v', 'PX', 100])).toBe('OK')
    expect(await client.send(['PTTL', 'k'])).toBe(100)
    clock.t += 100
    expect(await client.send(['GET', 'k'])).toBe('v')
    expect(await client.send(['PTTL', 'k'])).toBe(0)
    clock.t += 1
    expect(await client.send(['GET', 'k'])).toBeNull()
    expect(await client.send(['PTTL', 'k'])).toBe(-2)
    expect(await client.send(['DBSIZE'])).toBe(0)
  })

  it('rounds TTL to the nearest second as Valkey does', async () => {
    const clock = manualClock()
    const client = createMemoryClient({ now: clock.now })
    await client.send(['SET', 'k', 'v', 'PX', 10_499])
    expect(await client.send(['TTL', 'k'])).toBe(10)
    await client.send(['PEXPIRE', 'k', 10_500])
    expect(await client.send(['TTL', 'k'])).toBe(11)
    expect(await client.send(['EXPIRETIME', 'k'])).toBe(Math.floor((START + 10_500 + 500) / 1000))
  })

  it('answers TIME from the injected clock', async () => {
    const client = createMemoryClient({ now: () => START + 0.25 })
    expect(await client.send(['TIME'])).toEqual([String(START / 1000), '250'])
  })

  it('reclaims a million expired one-off keys as new ones arrive', async () => {
    const clock = manualClock()
    const client = createMemoryClient({ now: clock.now })
    let largest = 0
    // An attacker rotating identifiers: every key is new, lives 1 s, one arrives per millisecond
    // (sent in batches of 1000, each batch in one pipeline to keep the test fast).
    for (let batch = 0; batch < 1000; batch++) {
      const commands: Command[] = []
      for (let i = 0; i < 1000; i++) commands.push(['SET', `ip:${batch}:${i}`, 1, 'PXAT', clock.t + i + 1000])
      await client.pipeline(commands)
      clock.t += 1000
      largest = Math.max(largest, (await client.send(['DBSIZE'])) as number)
    }
    // About 1000 keys are alive at any time; the map may hold a few dead ones more, never the million.
    expect(largest).toBeLessThan(3000)
    expect(await client.send(['DBSIZE'])).toBeLessThan(3000)
  })

  it('reclaims a burst of expired keys once traffic moves on', async () => {
    const clock = manualClock()
    const client = createMemoryClient({ now: clock.now })
    await client.pipeline(Array.from({ length: 200_000 }, (_, i) => ['SET', `burst:${i}`, 1, 'PX', 1000]))
    expect(await client.send(['DBSIZE'])).toBe(200_000)
    clock.t += 2000
    await client.pipeline(Array.from({ length: 60_000 }, (_, i) => ['INCR', `next:${i}`]))
    expect(await client.send(['DBSIZE'])).toBe(60_000)
  })

  it('sweeps on a timer when asked, without a write', async () => {
    const clock = manualClock()
    const client = createMemoryClient({ now: clock.now, sweepInterval: 5 })
    await client.pipeline(Array.from({ length: 100 }, (_, i) => ['SET', `k${i}`, 1, 'PX', 10]))
    clock.t += 20
    expect(await client.send(['DBSIZE'])).toBe(100)
    // DBSIZE creates nothing, so only the timer can empty the map; allow a loaded machine 2 s.
    for (let waited = 0; waited < 2000 && (await client.send(['DBSIZE'])) !== 0; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(await client.send(['DBSIZE'])).toBe(0)
    await client.close()
  })
})

describe('createMemoryClient: the last-lookup shortcut', () => {
  it('never answers from an entry that was deleted, replaced, expired or evicted', async () => {
    const clock = manualClock()
    const client = createMemoryClient({ now: clock.now, maxKeys: 2 })
    const steps: Array<[Command, Reply]> = [
      [['SET', 'k', 'a'], 'OK'],
      [['GET', 'k'], 'a'],
      [['DEL', 'k'], 1],
      [['GET', 'k'], null],
      [['SET', 'k', 'b', 'PX', 10], 'OK'],
      [['GET', 'k'], 'b'],
      [['GETDEL', 'k'], 'b'],
      [['GET', 'k'], null],
      [['SET', 'k', 'c'], 'OK'],
      [['GET', 'k'], 'c'],
      [['UNLINK', 'k'], 1],
      [['GET', 'k'], null],
      [['SET', 'k2', 'c'], 'OK'],
      [['GET', 'k2'], 'c'],
      [['FLUSHDB'], 'OK'],
      [['GET', 'k2'], null],
      [['HSET', 'k2', 'f', 'v'], 1],
      [['HGET', 'k2', 'f'], 'v'],
      [['SET', 'k2', 'd'], 'OK'],
      [['GET', 'k2'], 'd'],
      // maxKeys 2: touching x makes y the least recently used, so z evicts y.
      [['SET', 'x', '1'], 'OK'],
      [['GET', 'y'], null],
      [['FLUSHDB'], 'OK'],
      [['SET', 'x', '1'], 'OK'],
      [['SET', 'y', '2'], 'OK'],
      [['GET', 'x'], '1'],
      [['SET', 'z', '3'], 'OK'],
      [['GET', 'y'], null],
      [['GET', 'x'], '1'],
    ]
    for (const [command, expected] of steps)
      expect([command, await client.send(command)]).toEqual([command, expected])
    await client.send(['SET', 'e', 'v', 'PX', 5])
    expect(await client.send(['GET', 'e'])).toBe('v')
    clock.t += 6
    expect(await client.send(['GET', 'e'])).toBeNull()
    expect(await client.send(['EXISTS', 'e'])).toBe(0)
  })
})

describe('createMemoryClient: maxKeys', () => {
  it('evicts the least recently used key beyond the cap', async () => {
    const client = createMemoryClient({ maxKeys: 3 })
    await client.send(['MSET', 'a', 1, 'b', 2, 'c', 3])
    expect(await client.send(['GET', 'a'])).toBe('1')
    await client.send(['SET', 'd', 4])
    expect(await client.send(['EXISTS', 'b'])).toBe(0)
    expect(await client.send(['MGET', 'a', 'c', 'd'])).toEqual(['1', '3', '4'])
    await client.send(['INCR', 'c'])
    await client.send(['HSET', 'e', 'f', 'v'])
    expect(await client.send(['MGET', 'a', 'c', 'd'])).toEqual([null, '4', '4'])
    expect(await client.send(['DBSIZE'])).toBe(3)
  })

  it('refuses a bad cap or clock with a TypeError', () => {
    expect(() => createMemoryClient({ maxKeys: 0 })).toThrow(/maxKeys must be a positive integer, received 0/)
    expect(() => createMemoryClient({ maxKeys: 1.5 })).toThrow(TypeError)
    expect(() => createMemoryClient({ now: 5 as never })).toThrow(/now must be a function/)
    expect(() => createMemoryClient({ sweepInterval: -1 })).toThrow(/sweepInterval/)
  })
})

describe('createMemoryClient: scripts', () => {
  it('runs a twin, which sees the same data as commands', async () => {
    const client = createMemoryClient()
    expect(await client.eval(counter, ['c'], [1000])).toBe(1)
    expect(await client.eval(counter, ['c'], [1000])).toBe(2)
    expect(await client.send(['GET', 'c'])).toBe('2')
    expect(await client.send(['PTTL', 'c'])).toBeGreaterThan(990)
  })

  it('runs each twin atomically: concurrent read-modify-write loses nothing', async () => {
    const client = createMemoryClient()
    const readModifyWrite = defineScript({
      name: 'readModifyWrite',
      lua: "local v = tonumber(redis.call('GET', KEYS[1]) or '0') redis.call('SET', KEYS[1], v + 1) return v + 1",
      twin: (redis, keys) => {
        const v = Number(redis.call('GET', keys[0]!) ?? '0')
        redis.call('SET', keys[0]!, v + 1)
        return v + 1
      },
    })
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        i % 2 ? client.eval(readModifyWrite, ['n'], []) : client.send(['INCR', 'n']),
      ),
    )
    expect(await client.send(['GET', 'n'])).toBe('500')
    expect(new Set(results).size).toBe(500)
  })

  it('freezes the clock for the length of a twin, as Valkey does for a script', async () => {
    let t = START
    const client = createMemoryClient({ now: () => t++ })
    const twice = defineScript({
      name: 'twice',
      lua: "return { redis.call('TIME')[2], redis.call('TIME')[2] }",
      twin: (redis) => [(redis.call('TIME') as string[])[1]!, (redis.call('TIME') as string[])[1]!],
    })
    const [first, second] = (await client.eval(twice, [], [])) as string[]
    expect(first).toBe(second)
  })

  it('converts a twin result as Lua replies are converted', async () => {
    const client = createMemoryClient()
    const shapes = defineScript({
      name: 'shapes',
      lua: 'return { 1.7, -2.5, "x", false, true, nil, 4 }',
      twin: () => [1.7, -2.5, 'x', null, true, undefined, 4] as Reply,
    })
    // null is Lua's false (a nil reply in place); undefined is Lua's nil, which ends the table.
    expect(await client.eval(shapes, [], [])).toEqual([1, -2, 'x', null, 1])
  })

  it('gives the twin its argv as strings and returns exact bytes on request', async () => {
    const client = createMemoryClient()
    const echo = defineScript({
      name: 'echo',
      lua: 'return ARGV',
      twin: (_redis, keys, argv) => [...keys, ...argv],
    })
    const bytes = new Uint8Array([0xff, 0xfe, 0x00])
    expect(await client.eval(echo, ['k'], [1, 2.5, 'x'])).toEqual(['k', '1', '2.5', 'x'])
    expect(await client.eval(echo, [], [bytes], { bytes: true })).toEqual([bytes])
  })

  it('rejects with the ReplyError of a failing redis.call, code included', async () => {
    const client = createMemoryClient()
    await client.send(['HSET', 'h', 'f', 'v'])
    const error = await client.eval(counter, ['h'], [1000]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ReplyError)
    expect((error as ReplyError).code).toBe('WRONGTYPE')
  })

  it('refuses a script without a twin with a ConfigError that says what to do', async () => {
    const client = createMemoryClient()
    const luaOnly = defineScript({ name: 'luaOnly', lua: 'return 1' })
    const error = await client.eval(luaOnly, [], []).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toMatch(/script luaOnly has no TypeScript twin.*defineScript\(\)/)
  })

  it('gives twins now(), get() and setPx() that do exactly what TIME, GET and SET PX do', async () => {
    const clock = manualClock()
    const client = createMemoryClient({ now: clock.now })
    const shortcuts = defineScript({
      name: 'shortcuts',
      lua: 'return 0',
      twin: (redis, keys, argv) => {
        const before = redis.get(keys[0]!)
        redis.setPx(keys[0]!, argv[0]!, Number(argv[1]))
        return [redis.now(), before, redis.get(keys[0]!), redis.call('PTTL', keys[0]!)] as Reply
      },
    })
    expect(await client.eval(shortcuts, ['k'], ['v1', 250])).toEqual([START, null, 'v1', 250])
    clock.t += 100
    expect(await client.eval(shortcuts, ['k'], [7, 50])).toEqual([START + 100, 'v1', '7', 50])
    expect(await client.send(['GET', 'k'])).toBe('7')
    clock.t += 51
    expect(await client.send(['GET', 'k'])).toBeNull()
    // A stray surrogate in a key names the same key as its bytes do, as with call().
    const lone = 'a\udc80'
    await client.eval(shortcuts, [lone], ['x', 1000])
    expect(await client.send(['GET', new Uint8Array([0x61, 0x80])])).toBe('x')
    // The same refusals as the commands: WRONGTYPE, and an invalid expire time.
    await client.send(['HSET', 'h', 'f', 'v'])
    const wrongType = await client.eval(shortcuts, ['h'], ['v', 10]).catch((e: unknown) => e)
    expect((wrongType as ReplyError).code).toBe('WRONGTYPE')
    for (const ttl of [0, -5, 1.5]) {
      const invalid = await client.eval(shortcuts, ['k2'], ['v', ttl]).catch((e: unknown) => e)
      expect((invalid as ReplyError).message).toBe("ERR invalid expire time in 'set' command")
    }
    expect(await client.send(['EXISTS', 'k2'])).toBe(0)
  })

  it('keeps what setIntegersPx stores as integers for the twin, and as their text for every command', async () => {
    const clock = manualClock()
    const client = createMemoryClient({ now: clock.now })
    const kept: Array<readonly number[]> = []
    const integers = defineScript({
      name: 'integers',
      lua: 'return 0',
      twin: (redis, keys, argv) => {
        const before = (redis as TwinContext).getIntegers(keys[0]!)
        // Read before the write: the write updates the stored array in place.
        const shown = typeof before === 'string' || before === null ? before : `[${before}]`
        const next = argv.slice(1).map(Number)
        const twin = redis as TwinContext
        twin.setIntegersPx(keys[0]!, next, Number(argv[0]))
        // A copy is kept: changing ours afterwards changes nothing stored.
        next.push(99)
        const after = (redis as TwinContext).getIntegers(keys[0]!) as readonly number[]
        kept.push([...after])
        // In place when the stored array has as many integers, a new one otherwise.
        return [shown, Array.isArray(before) && before === after ? 1 : 0]
      },
    })
    expect(await client.eval(integers, ['s'], [1000, 29400123, 7, -2])).toEqual([null, 0])
    expect(await client.eval(integers, ['s'], [1000, 29400124, 8, 7])).toEqual(['[29400123,7,-2]', 1])
    // Every command reads the text the Lua's format('%d:%d:%d') would have stored.
    expect(await client.send(['GET', 's'])).toBe('29400124:8:7')
    expect(await client.send(['MGET', 's', 'missing'])).toEqual(['29400124:8:7', null])
    expect(await client.send(['STRLEN', 's'])).toBe(12)
    expect(await client.send(['TYPE', 's'])).toBe('string')
    expect(await client.send(['PTTL', 's'])).toBe(1000)
    const notInteger = await client.send(['INCR', 's']).catch((e: unknown) => e)
    expect((notInteger as ReplyError).message).toBe('ERR value is not an integer or out of range')
    expect(await client.send(['APPEND', 's', ':0'])).toBe(14)
    expect(await client.send(['GET', 's'])).toBe('29400124:8:7:0')
    // Text written by a command comes back to the twin as text, for it to parse.
    await client.send(['SET', 's', '5:6'])
    expect(await client.eval(integers, ['s'], [500, 1])).toEqual(['5:6', 0])
    expect(await client.send(['GETDEL', 's'])).toBe('1')
    // A number kept by INCR reads as its text too.
    await client.send(['INCR', 'n'])
    expect(await client.eval(integers, ['n'], [500, 3])).toEqual(['1', 0])
    // Another count of integers takes a new array.
    expect(await client.eval(integers, ['n'], [500, 3, 4])).toEqual(['[3]', 0])
    // The TTL counts on the script's frozen clock, and the key goes at its end.
    clock.t += 500
    expect(await client.send(['EXISTS', 'n'])).toBe(1)
    clock.t += 1
    expect(await client.send(['EXISTS', 'n'])).toBe(0)
    // Reading another type is WRONGTYPE, as GET is.
    await client.send(['HSET', 'h', 'f', 'v'])
    const wrongType = await client.eval(integers, ['h'], [500, 1]).catch((e: unknown) => e)
    expect((wrongType as ReplyError).code).toBe('WRONGTYPE')
    expect(kept).toEqual([[29400123, 7, -2], [29400124, 8, 7], [1], [3], [3, 4]])
  })

  it('refuses to keep anything but safe integers with a valid expire time, and replaces as SET does', async () => {
    const client = createMemoryClient()
    const store = defineScript({
      name: 'store',
      lua: 'return 0',
      twin: (redis, keys, argv) => {
        ;(redis as TwinContext).setIntegersPx(keys[0]!, JSON.parse(argv[1]!) as number[], Number(argv[0]))
        return 1
      },
    })
    const fails = (keys: string[], args: string[]) => client.eval(store, keys, args).catch((e: unknown) => e)
    expect(String(await fails(['k'], ['100', '[1, 1.5]']))).toMatch(
      /setIntegersPx takes safe integers, received 1.5/,
    )
    expect(String(await fails(['k'], ['100', `[${2 ** 53}]`]))).toMatch(/received 9007199254740992/)
    expect(((await fails(['k'], ['0', '[1]'])) as ReplyError).message).toBe(
      "ERR invalid expire time in 'set' command",
    )
    expect(await client.send(['EXISTS', 'k'])).toBe(0)
    // Over a key of another type it writes, as SET ... PX does.
    await client.send(['HSET', 'h', 'f', 'v'])
    expect(await client.eval(store, ['h'], ['100', '[4, 2]'])).toBe(1)
    expect(await client.send(['GET', 'h'])).toBe('4:2')
  })

  it('takes a frozen argument array as it is, and still canonicalises one that needs it', async () => {
    const client = createMemoryClient()
    const echo = defineScript({
      name: 'echo',
      lua: 'return ARGV',
      twin: (_redis, keys, argv) => [...keys, ...argv],
    })
    const plain = Object.freeze(['a', 'b'])
    expect(await client.eval(echo, plain, plain)).toEqual(['a', 'b', 'a', 'b'])
    expect(await client.eval(echo, plain, plain)).toEqual(['a', 'b', 'a', 'b'])
    const stray = Object.freeze(['x\udc80'])
    const reply = (await client.eval(echo, stray, stray, { bytes: true })) as Uint8Array[]
    expect(reply.map((b) => [...b])).toEqual([
      [0x78, 0x80],
      [0x78, 0x80],
    ])
  })

  it('serves EVAL, EVALSHA and SCRIPT for the scripts it has seen', async () => {
    const client = createMemoryClient()
    const sha = await scriptSha(counter)
    const unseen = await client.send(['EVALSHA', sha, 1, 'c', 1000]).catch((e: unknown) => e)
    expect((unseen as ReplyError).code).toBe('NOSCRIPT')
    expect(await client.eval(counter, ['c'], [1000])).toBe(1)
    expect(await client.send(['EVALSHA', sha, 1, 'c', 1000])).toBe(2)
    expect(await client.send(['evalsha', sha.toUpperCase(), 1, 'c', 1000])).toBe(3)
    expect(await client.send(['EVAL', counter.lua, 1, 'c', 1000])).toBe(4)
    expect(await runScript(client.send, counter, ['c'], [1000])).toBe(5)
    expect(await client.send(['SCRIPT', 'EXISTS', sha, 'f'.repeat(40)])).toEqual([1, 0])
    const other = defineScript({ name: 'other', lua: 'return 2' })
    expect(await client.send(['SCRIPT', 'LOAD', other.lua])).toBe(await scriptSha(other))
    const noTwin = await client.send(['EVAL', other.lua, 0]).catch((e: unknown) => e)
    expect(noTwin).toBeInstanceOf(ReplyError)
    expect((noTwin as ReplyError).message).toMatch(
      /^ERR script loaded with SCRIPT LOAD has no TypeScript twin/,
    )
    expect(await client.send(['SCRIPT', 'FLUSH'])).toBe('OK')
    expect(await client.send(['SCRIPT', 'EXISTS', sha])).toEqual([0])
    const negative = await client.send(['EVAL', counter.lua, -1]).catch((e: unknown) => e)
    expect((negative as ReplyError).message).toBe("ERR Number of keys can't be negative")
    const tooMany = await client.send(['EVAL', counter.lua, 2, 'k']).catch((e: unknown) => e)
    expect((tooMany as ReplyError).message).toBe("ERR Number of keys can't be greater than number of args")
  })
})

describe('createMemoryClient: the Client contract', () => {
  it('answers a pipeline in order, with each refusal in its place', async () => {
    const client = createMemoryClient()
    const replies = await client.pipeline([['SET', 'k', 'v'], ['INCR', 'k'], ['GET', 'k'], ['NOPE']])
    expect(replies.slice(0, 1)).toEqual(['OK'])
    expect((replies[1] as ReplyError).message).toBe('ERR value is not an integer or out of range')
    expect(replies[2]).toBe('v')
    expect((replies[3] as ReplyError).code).toBe('ERR')
  })

  it('returns status replies as strings and bulk strings as bytes when asked', async () => {
    const client = createMemoryClient()
    expect(await client.send(['SET', 'k', 'v'], { bytes: true })).toBe('OK')
    expect(await client.send(['MGET', 'k', 'x'], { bytes: true })).toEqual([new Uint8Array([0x76]), null])
    expect(await client.pipeline([['GET', 'k']], { bytes: true })).toEqual([new Uint8Array([0x76])])
  })

  it('refuses commands after close with a TransportError', async () => {
    const client = createMemoryClient()
    await client.close()
    await expect(client.send(['PING'])).rejects.toBeInstanceOf(TransportError)
    await expect(client.eval(counter, ['c'], [1])).rejects.toBeInstanceOf(TransportError)
    await expect(client.pipeline([['PING']])).rejects.toBeInstanceOf(TransportError)
  })

  it('does not run a command whose signal has already aborted', async () => {
    const client = createMemoryClient()
    const signal = AbortSignal.abort(new Error('caller gave up'))
    await expect(client.send(['SET', 'k', 'v'], { signal })).rejects.toBeInstanceOf(TimeoutError)
    expect(await client.send(['EXISTS', 'k'])).toBe(0)
  })

  it('keeps separate data per client', async () => {
    const a = createMemoryClient()
    const b = createMemoryClient()
    await a.send(['SET', 'k', 'a'])
    expect(await b.send(['GET', 'k'])).toBeNull()
  })
})
