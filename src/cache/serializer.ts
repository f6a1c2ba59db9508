/**
 * The cache's default serializer: JSON that keeps what plain JSON loses. `Date`, `BigInt`, `Map`,
 * `Set`, `Uint8Array`, `undefined` (nested or not), `NaN`, `±Infinity` and `-0` come back as they
 * went in; every other value is plain JSON. A special value is written as `{"$t": tag, "v": ...}`;
 * a plain object that itself has a `$t` key is wrapped as `{"$t":"o","v":{...}}`, so no user data
 * is ever mistaken for a tag. Functions, symbols, cycles and class instances without `toJSON` are
 * refused with a `CacheError` naming the path, instead of being dropped silently as JSON does.
 */
import { CacheError } from '../errors.ts'

/** Turns values into text and back. The default is `taggedJson`. */
export interface Serializer {
  serialize(value: unknown): string
  deserialize(text: string): unknown
}

const TAG = '$t'

const unstorable = (what: string, path: string): CacheError =>
  new CacheError(
    `cannot cache ${what} at ${path}: store plain data (objects, arrays, strings, numbers, Date, BigInt, ` +
      'Map, Set, Uint8Array), or pass your own serializer to createCache',
    { code: 'ERR_CACHE_VALUE' },
  )

// `out.__proto__ = v` would set the prototype; a key of that name must be defined as a property.
const put = (out: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true })
  else out[key] = value
}

const toBase64 = (bytes: Uint8Array): string => {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

const fromBase64 = (text: string): Uint8Array => {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

const encode = (value: unknown, path: string, seen: Set<object>): unknown => {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value
      // String(-0) is '0': the sign has to be written out.
      return { [TAG]: 'n', v: Object.is(value, -0) ? '-0' : String(value) }
    case 'bigint':
      return { [TAG]: 'b', v: value.toString() }
    case 'undefined':
      return { [TAG]: 'u' }
    case 'function':
      throw unstorable('a function', path)
    case 'symbol':
      throw unstorable('a symbol', path)
  }
  if (value === null) return null
  const object = value as object
  if (seen.has(object)) throw unstorable('a cycle (an object that contains itself)', path)
  seen.add(object)
  try {
    if (Array.isArray(object)) {
      const out = new Array<unknown>(object.length)
      for (let i = 0; i < object.length; i++) out[i] = encode(object[i], `${path}[${i}]`, seen)
      return out
    }
    if (object instanceof Date) {
      const time = object.getTime()
      return { [TAG]: 'd', v: Number.isNaN(time) ? null : time }
    }
    if (object instanceof Map) {
      let i = 0
      const pairs: unknown[] = []
      for (const [k, v] of object) {
        pairs.push([encode(k, `${path}.<key ${i}>`, seen), encode(v, `${path}.get(${i})`, seen)])
        i++
      }
      return { [TAG]: 'm', v: pairs }
    }
    if (object instanceof Set) {
      let i = 0
      const items: unknown[] = []
      for (const v of object) items.push(encode(v, `${path}.<item ${i++}>`, seen))
      return { [TAG]: 's', v: items }
    }
    if (object instanceof Uint8Array) return { [TAG]: '8', v: toBase64(object) }
    const proto = Object.getPrototypeOf(object)
    if (proto === Object.prototype || proto === null) {
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(object)) {
        put(out, key, encode((object as Record<string, unknown>)[key], `${path}.${key}`, seen))
      }
      return Object.hasOwn(object, TAG) ? { [TAG]: 'o', v: out } : out
    }
    const toJSON = (object as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') return encode(toJSON.call(object), path, seen)
    const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'an unknown class'
    throw unstorable(`an instance of ${name} (no toJSON)`, path)
  } finally {
    seen.delete(object)
  }
}

const plain = (object: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(object)) put(out, key, decode(object[key]))
  return out
}

const decode = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(decode)
  const object = value as Record<string, unknown>
  if (!Object.hasOwn(object, TAG)) return plain(object)
  const v = object.v
  switch (object[TAG]) {
    case 'n':
      return Number(v)
    case 'b':
      return BigInt(v as string)
    case 'u':
      return undefined
    case 'd':
      return new Date(v === null ? Number.NaN : (v as number))
    case 'm':
      return new Map((v as [unknown, unknown][]).map(([k, x]) => [decode(k), decode(x)]))
    case 's':
      return new Set((v as unknown[]).map(decode))
    case '8':
      return fromBase64(v as string)
    case 'o':
      return plain(v as Record<string, unknown>)
  }
  throw new CacheError(`cannot read a cached value: unknown tag ${JSON.stringify(object[TAG])}`, {
    code: 'ERR_CACHE_VALUE',
  })
}

/**
 * The default serializer.
 *
 * @example
 * const text = taggedJson.serialize({ at: new Date(0), ids: new Set([1n]) })
 * taggedJson.deserialize(text) // { at: Date(0), ids: Set { 1n } }
 */
export const taggedJson: Serializer = {
  serialize: (value) => JSON.stringify(encode(value, '$', new Set())),
  // Text with no tag in it is plain JSON: parse it and skip the walk (the common hit).
  deserialize: (text) => (text.includes('"$t"') ? decode(JSON.parse(text)) : JSON.parse(text)),
}
