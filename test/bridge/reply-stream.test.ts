import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toJson } from '../../src/bridge/reply.ts'
import { jsonBody } from '../../src/bridge/reply-stream.ts'

const text = async (body: string | ReadableStream<Uint8Array>): Promise<string> =>
  typeof body === 'string' ? body : new Response(body).text()

describe('jsonBody', () => {
  it('stringifies a small reply at once', () => {
    expect(jsonBody({ result: ['a', 1, null] })).toBe('{"result":["a",1,null]}')
  })

  it('streams a large reply as exactly the text JSON.stringify gives, surrogate pairs kept whole', async () => {
    // A pair straddles every 64 Ki cut: the cut must move, not split it into two escapes.
    const emoji = `${'x'.repeat(65_535)}😀`.repeat(20)
    const lone = `a\ud800b"\\\n${'é'.repeat(300_000)}`
    for (const value of [
      { result: emoji },
      { result: lone },
      [
        { result: emoji.slice(0, 100) },
        { error: 'ERR x' },
        { result: Array.from({ length: 300_000 }, (_, i) => i) },
      ],
    ]) {
      const body = jsonBody(value)
      expect(body).toBeInstanceOf(ReadableStream)
      expect(await text(body)).toBe(JSON.stringify(value))
    }
  })

  it('writes the base64 of a long value piece by piece, the same text as one btoa', async () => {
    for (const length of [196_608, 196_609, 196_610, 1_000_001]) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 7919) & 0xff)
      const body = jsonBody({ result: toJson(bytes, true) })
      expect(body).toBeInstanceOf(ReadableStream)
      expect(await text(body)).toBe(JSON.stringify({ result: Buffer.from(bytes).toString('base64') }))
    }
  })

  it('agrees with JSON.stringify on any reply', async () => {
    const reply = fc.letrec((tie) => ({
      value: fc.oneof(
        fc.string({ unit: 'binary' }),
        fc.integer(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
      ),
    })).value
    await fc.assert(
      fc.asyncProperty(reply, fc.integer({ min: 0, max: 300_000 }), async (value, pad) => {
        const large = { result: [value, 'x'.repeat(pad), value] }
        expect(await text(jsonBody(large))).toBe(JSON.stringify(large))
      }),
      { numRuns: 60 },
    )
  })
})
