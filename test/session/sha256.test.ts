import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sha256 } from '../../src/session/sha256.ts'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const webcrypto = async (data: Uint8Array) => hex(new Uint8Array(await crypto.subtle.digest('SHA-256', data)))

describe('sha256', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
    expect(hex(sha256(new Uint8Array()))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    )
    expect(
      hex(sha256(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))),
    ).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1')
  })

  it('matches WebCrypto at every padding boundary', async () => {
    for (const length of [1, 43, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000]) {
      const data = crypto.getRandomValues(new Uint8Array(length))
      expect(hex(sha256(data)), `length ${length}`).toBe(await webcrypto(data))
    }
  })

  it('matches WebCrypto on random input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (data) => {
        expect(hex(sha256(data))).toBe(await webcrypto(data))
      }),
      { numRuns: 300 },
    )
  })
})
