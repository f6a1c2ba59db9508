/**
 * The HTTP codec as properties: base64 results decode to the exact bytes and strings, and a
 * command with a binary argument, encoded as a path-style request, is read back by the bridge's
 * own request parser as the same arguments.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { route } from '../../../src/bridge/request.ts'
import { decodeResult, encodeCommand, isRaw } from '../../../src/client/http/codec.ts'
import { ProtocolError } from '../../../src/errors.ts'

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const nonUtf8 = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((bytes) => Uint8Array.from([0xff, ...bytes]))
// Arguments the path form can carry: non-empty strings (lone surrogates have no UTF-8 form).
const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 })

describe('decodeResult', () => {
  it('returns the exact bytes of any base64 bulk string with { bytes: true }', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(decodeResult(b64(bytes), true, true)).toEqual(bytes)
      }),
    )
  })

  it('returns any UTF-8 string unchanged, nested in arrays, with integers and null as they are', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), fc.integer(), (value, n) => {
        const encoded = b64(new TextEncoder().encode(value))
        expect(decodeResult([encoded, [n, null, encoded]], true, false)).toEqual([value, [n, null, value]])
      }),
    )
  })

  it('keeps the status reply OK and rejects what is not base64 or not RESP2-shaped', () => {
    expect(decodeResult('OK', true, false)).toBe('OK')
    expect(decodeResult('T0s=', true, false)).toBe('OK')
    expect(() => decodeResult('not base64!', true, false)).toThrow(ProtocolError)
    expect(() => decodeResult({ a: 1 }, true, false)).toThrow(ProtocolError)
    expect(decodeResult('plain', false, false)).toBe('plain')
  })
})

describe('encodeCommand', () => {
  it('sends text, numbers and UTF-8 bytes as JSON strings', () => {
    expect(encodeCommand(['SET', 'k', 1.5, new TextEncoder().encode('✓'), -0])).toEqual([
      'SET',
      'k',
      '1.5',
      '✓',
      '0',
    ])
  })

  it('encodes one binary argument so that the bridge parses back the same arguments', () => {
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 4 }),
        nonUtf8,
        fc.array(text, { maxLength: 4 }),
        (before, binary, after) => {
          const encoded = encodeCommand([...before, binary, ...after])
          if (!isRaw(encoded)) throw new Error('expected a raw-body command')
          const parsed = route(encoded.path)
          expect(parsed.endpoint).toBe('command')
          expect([...parsed.path, encoded.body, ...parsed.query]).toEqual([...before, binary, ...after])
        },
      ),
    )
  })
})
