/**
 * Differential tests of the memory backend's number formatting against a real Valkey 8: random
 * scores through ZADD/ZSCORE (Grisu2 digits, integers in full) and random INCRBYFLOAT operands
 * (80-bit long double arithmetic printed with %.17Lf). Every reply must match byte for byte.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../src/bridge/node/socket.ts'
import { createMemoryClient } from '../../../src/client/memory/client.ts'
import { createTcpClient } from '../../../src/client/tcp/client.ts'
import type { Client, Command } from '../../../src/client/types.ts'
import { useValkey } from '../../support/use-valkey.ts'

const valkey = useValkey()
let server: Client

beforeAll(() => {
  server = createTcpClient({ url: valkey.url, connect })
})
afterAll(() => server.close())

/** Runs the same commands on Valkey and on a fresh memory client; returns both reply lists. */
const both = async (commands: Command[]): Promise<[unknown[], unknown[]]> => {
  await server.send(['FLUSHDB'])
  const memory = createMemoryClient()
  const replies = await Promise.all([server.pipeline(commands), memory.pipeline(commands)])
  const text = (list: unknown[]) => list.map((r) => (r instanceof Error ? `error: ${r.message}` : r))
  return [text(replies[0]), text(replies[1])]
}

describe('number formatting matches Valkey', () => {
  it('prints 5000 random scores as Valkey does', async () => {
    const doubles = fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), 2500)
    const integers = fc.sample(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), 500).map((n) => n * 2 ** 21)
    const decimals = fc.sample(fc.integer({ min: 0, max: 10 ** 9 }), 2000).map((n) => n / 1000)
    const scores = [...doubles, ...integers, ...decimals, 123e20, 2.482116863470335, 2 ** 62, 2 ** 62 + 2048]
    const commands: Command[] = scores.map((score, i) => ['ZADD', 'z', score.toPrecision(17), `m${i}`])
    commands.push(...scores.map((_, i): Command => ['ZSCORE', 'z', `m${i}`]))
    const [onValkey, onMemory] = await both(commands)
    expect(onMemory).toEqual(onValkey)
  })

  it('adds 2000 random INCRBYFLOAT operands as Valkey does', async () => {
    const operand = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }).map(String),
      fc
        .tuple(fc.integer({ min: -99999, max: 99999 }), fc.integer({ min: 0, max: 6 }))
        .map(([n, scale]) => (n / 10 ** scale).toFixed(scale)),
      fc.constantFrom(
        '0.1',
        '0.2',
        '1e3',
        '-0.3',
        '1000.1',
        '5.0e3',
        '1e-20',
        '.5',
        '1.',
        '0x10',
        'inf',
        'abc',
        ' 1',
      ),
    )
    const commands: Command[] = fc
      .sample(fc.tuple(fc.integer({ min: 0, max: 9 }), operand), 2000)
      .map(([key, by]) => ['INCRBYFLOAT', `f${key}`, by])
    const [onValkey, onMemory] = await both(commands)
    expect(onMemory).toEqual(onValkey)
  })
})
