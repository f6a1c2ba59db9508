import { describe, expect, it } from 'vitest'
import { decodeEntry, type Entry, encodeEntry, entryValue, isPlain } from '../../src/cache/entry.ts'
import { type Serializer, taggedJson } from '../../src/cache/serializer.ts'

const entry: Entry = {
  created: 1_796_417_195_476,
  freshUntil: 1_796_417_795_476,
  staleUntil: 1_796_418_395_476,
  delta: 12,
  negative: false,
  plain: false,
  tags: { 'team:1': 3, 'a:b': 0 },
  payload: '{"id":1}\n:c1:',
}

describe('cache entries', () => {
  it('round-trip their header and payload, tags with ":" included', () => {
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry)
    const plain = { ...entry, tags: undefined, negative: true, payload: 'boom' }
    expect(decodeEntry(encodeEntry(plain))).toEqual(plain)
  })

  it('read times that are not whole ms (a ttl of 1.5) and numbers past 15 digits as written', () => {
    const odd = { ...entry, freshUntil: 1_796_417_195_477.5, staleUntil: 2 ** 60 }
    expect(decodeEntry(encodeEntry(odd))).toMatchObject({
      freshUntil: 1_796_417_195_477.5,
      staleUntil: 2 ** 60,
    })
  })

  it('refuse text that is not an entry', () => {
    expect(decodeEntry('plain value')).toBeUndefined()
    expect(decodeEntry('c1:12:x4:5:0::\n{}')).toBeUndefined()
    expect(decodeEntry('c1:12:-4:5:0::\n{}')).toBeUndefined()
    expect(decodeEntry('c1:12:34:56\n{}')).toBeUndefined()
    expect(decodeEntry('c1:1:2:3:0::{bad\n{}')).toBeUndefined()
  })

  it('flag plain JSON from taggedJson only, and read every entry to the value written', () => {
    const plainValue = { id: 1, name: 'x', list: [1, 'two', null] }
    const tagged = { at: new Date(7), ids: new Set([1n]) }
    const upper: Serializer = {
      serialize: (v) => JSON.stringify(v),
      deserialize: (t) => JSON.parse(t.toUpperCase()),
    }
    expect(isPlain(taggedJson.serialize(plainValue), taggedJson)).toBe(true)
    expect(isPlain(taggedJson.serialize(tagged), taggedJson)).toBe(false)
    expect(isPlain('"a"', upper)).toBe(false)
    for (const value of [plainValue, tagged]) {
      const payload = taggedJson.serialize(value)
      for (const plain of [isPlain(payload, taggedJson), false]) {
        const read = decodeEntry(encodeEntry({ ...entry, tags: undefined, plain, payload }))!
        expect(read.plain).toBe(plain)
        expect(entryValue(read, taggedJson)).toEqual(value)
      }
    }
    // Another serializer reads its own payload even under the flag.
    const read = decodeEntry(encodeEntry({ ...entry, plain: true, payload: '"abc"' }))!
    expect(entryValue(read, upper)).toBe('ABC')
  })
})
