/**
 * Numbers as Valkey reads and writes them: 64-bit integers in canonical decimal (string2ll),
 * doubles as strtod accepts them, and doubles printed the way Valkey 8 replies with a score
 * (shortest round-trip digits, laid out like its fpconv_dtoa).
 */
import { grisu2 } from './grisu.ts'
import { notFloat, notInteger, overflow } from './reply.ts'

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const CANONICAL_INTEGER = /^(?:0|-?[1-9][0-9]{0,19})$/

/**
 * A canonical decimal integer within int64, as a number (exact below 2^53) or a bigint beyond.
 * Returns `undefined` for anything Valkey would refuse ("01", "+1", " 1", "-0", "1.0").
 */
export const parseInteger = (s: string): number | bigint | undefined => {
  const length = s.length
  if (length > 0 && length < 16) {
    // The common case, by hand: no allocation, unlike Number(s) checked against String(n).
    const negative = s.charCodeAt(0) === 45
    let i = negative ? 1 : 0
    if (i === length) return undefined
    if (s.charCodeAt(i) === 48) return length === 1 ? 0 : undefined
    let n = 0
    for (; i < length; i++) {
      const digit = s.charCodeAt(i) - 48
      if (digit < 0 || digit > 9) return undefined
      n = n * 10 + digit
    }
    return negative ? -n : n
  }
  if (!CANONICAL_INTEGER.test(s)) return undefined
  const big = BigInt(s)
  if (big < INT64_MIN || big > INT64_MAX) return undefined
  const n = Number(big)
  return Number.isSafeInteger(n) ? n : big
}

/** An integer argument, or `ERR value is not an integer or out of range`. */
export const integerArg = (s: string): number | bigint => {
  const n = parseInteger(s)
  if (n === undefined) throw notInteger()
  return n
}

/** An integer argument that must fit a safe JS integer (counts, offsets, TTLs). */
export const smallIntegerArg = (s: string): number => {
  const n = parseInteger(s)
  if (n === undefined) throw notInteger()
  return typeof n === 'number' ? n : Number(n)
}

/** `a + b` within int64, as a number when it is safe, else as its decimal string. */
export const addIntegers = (a: number | bigint, b: number | bigint): number | string => {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b
    if (Number.isSafeInteger(sum)) return sum
  }
  const sum = BigInt(a) + BigInt(b)
  if (sum < INT64_MIN || sum > INT64_MAX) throw overflow()
  const n = Number(sum)
  return Number.isSafeInteger(n) ? n : String(sum)
}

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/
const INFINITY = /^([+-]?)inf(?:inity)?$/i
const HEX = /^([+-]?)0x[0-9a-f]+$/i

/** A double as strtod reads it (no leading space, no NaN, no overflow), or `undefined`. */
export const parseDouble = (s: string): number | undefined => {
  if (DECIMAL.test(s)) {
    const n = Number(s)
    if (!Number.isFinite(n)) return undefined
    // strtod reports ERANGE on underflow too, and Valkey refuses those.
    if (n === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ''))) return undefined
    return n
  }
  const inf = INFINITY.exec(s)
  if (inf) return inf[1] === '-' ? -Infinity : Infinity
  const hex = HEX.exec(s)
  if (hex) return (hex[1] === '-' ? -1 : 1) * Number(s.slice(hex[1]!.length))
  return undefined
}

/** A double argument, or `ERR value is not a valid float`. */
export const doubleArg = (s: string): number => {
  const n = parseDouble(s)
  if (n === undefined) throw notFloat()
  return n
}

/**
 * A double as Valkey 8 replies with it (ZSCORE, ZRANGE WITHSCORES), after its d2string: an
 * integral value within 2^62 in full, else Grisu2's digits laid out as fpconv_dtoa lays them out:
 * plain for moderate exponents, else `1.5e-7` / `1e+20`.
 */
export const formatDouble = (n: number): string => {
  if (n === Infinity) return 'inf'
  if (n === -Infinity) return '-inf'
  if (n === 0) return '0'
  if (Number.isInteger(n) && Math.abs(n) <= 2 ** 62) {
    return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString()
  }
  const sign = n < 0 ? '-' : ''
  const { digits, k } = grisu2(n)
  const count = digits.length
  const exp = Math.abs(k + count - 1)
  if (k >= 0 && exp < count + 7) return sign + digits + '0'.repeat(k)
  if (k < 0 && (k > -7 || exp < 4)) {
    const offset = count + k
    return offset <= 0
      ? `${sign}0.${'0'.repeat(-offset)}${digits}`
      : `${sign}${digits.slice(0, offset)}.${digits.slice(offset)}`
  }
  const shown = digits.slice(0, 18 - sign.length)
  const fraction = shown.length > 1 ? `.${shown.slice(1)}` : ''
  return `${sign}${shown[0]}${fraction}e${k + count - 1 < 0 ? '-' : '+'}${exp}`
}
