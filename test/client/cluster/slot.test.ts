import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { connect } from '../../../src/bridge/node/socket.ts'
import { commandName, keysOf, knownSpec, specFromInfo } from '../../../src/client/cluster/keys.ts'
import { crc16, keySlot, SLOTS } from '../../../src/client/cluster/slot.ts'
import { createTcpClient } from '../../../src/client/tcp/client.ts'
import { useCluster } from '../../support/use-cluster.ts'

const ctx = useCluster()

describe('keySlot', () => {
  it('computes CRC16/XMODEM: the check value of "123456789" is 0x31c3', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x31c3)
  })

  it('hashes only the hash tag when there is one', () => {
    expect(keySlot('{user:42}:limit')).toBe(keySlot('user:42'))
    expect(keySlot('a{user:42}b{x}')).toBe(keySlot('user:42'))
    // An empty tag, or a `{` with no `}` after it, hashes the whole key.
    expect(keySlot('{}user')).not.toBe(keySlot(''))
    expect(keySlot('{}user')).toBe(keySlot(new TextEncoder().encode('{}user')))
  })

  it('gives a string and its UTF-8 bytes the same slot, tags after non-ASCII text included', () => {
    const bytes = (text: string) => new TextEncoder().encode(text)
    for (const key of ['plain', 'é{user:42}x', '{ü}', 'ü{}', '{a}{b}', '😀', 'k{😀}', '{x}', '{x}']) {
      expect(keySlot(key)).toBe(keySlot(bytes(key)))
    }
    expect(keySlot('é{user:42}x')).toBe(keySlot('user:42'))
  })

  it('agrees with CLUSTER KEYSLOT for 2,000 random keys, tags and bytes included', async () => {
    const keys = fc.sample(
      fc.oneof(
        fc.string({ maxLength: 24 }),
        fc.string({ unit: 'grapheme', maxLength: 8 }),
        fc
          .tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }))
          .map(([a, b, c]) => `${a}{${b}}${c}`),
        fc.constantFrom('{', '}', '{}', '}{', '{{a}}', 'a{b', 'x}y{z}'),
      ),
      { numRuns: 2000, seed: 7 },
    )
    // One node answers them all: CLUSTER KEYSLOT is pure arithmetic on the server.
    const node = createTcpClient({ host: '127.0.0.1', port: ctx.cluster.servers[0]!.port, connect })
    const served = (await node.pipeline(keys.map((key) => ['CLUSTER', 'KEYSLOT', key]))).map(Number)
    await node.close()
    expect(keys.map((key) => keySlot(key))).toEqual(served)
    expect(served.every((slot) => slot >= 0 && slot < SLOTS)).toBe(true)
    expect(new Set(served).size).toBeGreaterThan(1000)
  })
})

describe('keysOf', () => {
  it('finds the keys of the commands floodgate sends', () => {
    const keys = (command: (string | number)[]) => keysOf(command, knownSpec(commandName(command))!.keys)
    expect(keys(['evalsha', 'abc', 2, '{a}:1', '{a}:2', 'argv1'])).toEqual(['{a}:1', '{a}:2'])
    expect(keys(['EVAL', 'return 1', 0, 'argv1'])).toEqual([])
    expect(keys(['MSET', 'k1', 'v1', 'k2', 'v2'])).toEqual(['k1', 'k2'])
    expect(keys(['DEL', 'a', 'b', 'c'])).toEqual(['a', 'b', 'c'])
    expect(keys(['SET', 'k', 'v', 'PX', 100])).toEqual(['k'])
    expect(keys(['PING'])).toEqual([])
  })

  it('reads a COMMAND INFO entry', () => {
    expect(specFromInfo(null)).toEqual({ keys: { kind: 'none' }, readonly: false })
    expect(specFromInfo(['get', 2, ['readonly', 'fast'], 1, 1, 1])).toEqual({
      keys: { kind: 'range', first: 1, last: 1, step: 1 },
      readonly: true,
    })
    expect(specFromInfo(['zunionstore', -4, ['write', 'movablekeys'], 1, 1, 1]).keys).toEqual({ kind: 'ask' })
  })
})
