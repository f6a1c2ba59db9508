import { describe, expect, it } from 'vitest'
import { base64, toItem, toJson } from '../../src/bridge/reply.ts'
import { ReplyError } from '../../src/errors.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

describe('toJson', () => {
  it('passes values through when base64 is off, decoding bytes as UTF-8', () => {
    expect(toJson(['a', 1, null, bytes('hé'), [bytes('x')]], false)).toEqual(['a', 1, null, 'hé', ['x']])
  })

  it('base64-encodes every string but OK, recursively, and leaves integers and null alone', () => {
    expect(toJson('PONG', true)).toBe('UE9ORw==')
    expect(toJson('OK', true)).toBe('OK')
    expect(toJson(bytes('OK'), true)).toBe('OK')
    expect(toJson(bytes('bar'), true)).toBe('YmFy')
    expect(toJson(['hé', 7, null, [bytes('x')]], true)).toEqual(['aMOp', 7, null, ['eA==']])
  })

  it('keeps exact bytes, including invalid UTF-8, under base64', () => {
    const raw = new Uint8Array([0xff, 0x00, 0xfe, 0x80])
    expect(toJson(raw, true)).toBe('/wD+gA==')
    expect(toJson(raw, false)).toBe('\ufffd\u0000\ufffd\ufffd')
  })

  it('encodes large byte strings in one piece', () => {
    const big = new Uint8Array(100_000).map((_, i) => i % 251)
    expect(atob(base64(big)).length).toBe(100_000)
    expect(base64(big)).toBe(Buffer.from(big).toString('base64'))
  })

  it('turns an error nested in an array into its (normalised) text', () => {
    expect(toJson([1, new ReplyError('NOSCRIPT No matching script.')], false)).toEqual([
      1,
      'NOSCRIPT No matching script. Please use EVAL.',
    ])
  })
})

describe('toItem', () => {
  it('wraps replies as {result} and errors as {error}, never encoding errors', () => {
    expect(toItem(null, true)).toEqual({ result: null })
    expect(toItem(new ReplyError('WRONGTYPE Operation against a key'), true)).toEqual({
      error: 'WRONGTYPE Operation against a key',
    })
  })
})
