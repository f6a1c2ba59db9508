/**
 * INCRBYFLOAT and HINCRBYFLOAT as Valkey computes them: in x87 80-bit `long double` (a 64-bit
 * significand), printed with `%.17Lf` and trailing zeros trimmed. Plain doubles would answer
 * `0.30000000000000004` where Valkey answers `0.3`, and `1000.2000000000000455` where it answers
 * `1000.19999999999999996`, so this emulates the long double exactly with BigInt: a value is
 * `m * 2^e` with `m` rounded to 64 bits, half to even, like the FPU.
 */
import type { ReplyError } from '../../errors.ts'
import { nanOrInfinity, notFloat } from './reply.ts'

/** `m * 2^e`, `m` signed with at most 64 significant bits; or an infinity. */
type LongDouble = { m: bigint; e: number } | number

const bits = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length)

/** Rounds `num / den * 2^e` (num, den > 0) to a 64-bit significand, ties to even. */
const round = (num: bigint, den: bigint, e: number): { m: bigint; e: number } => {
  const shift = 66 - (bits(num) - bits(den))
  if (shift > 0) num <<= BigInt(shift)
  else den <<= BigInt(-shift)
  e -= shift
  let q = num / den
  const sticky = num % den !== 0n
  const extra = BigInt(bits(q) - 64)
  const rest = q & ((1n << extra) - 1n)
  const half = 1n << (extra - 1n)
  q >>= extra
  e += Number(extra)
  if (rest > half || (rest === half && (sticky || (q & 1n) === 1n))) q++
  if (bits(q) > 64) {
    q >>= 1n
    e++
  }
  return { m: q, e }
}

/** Builds `sign * num / den * 2^e`, overflowing to an infinity as `long double` would. */
const make = (negative: boolean, num: bigint, den: bigint, e: number): LongDouble => {
  if (num === 0n) return { m: 0n, e: 0 }
  const r = round(num, den, e)
  if (r.e + 64 > 16384) return negative ? -Infinity : Infinity
  return { m: negative ? -r.m : r.m, e: r.e }
}

const DECIMAL = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/
const INFINITE = /^([+-]?)inf(?:inity)?$/i

/** Reads a value as `strtold` does for Valkey's string2ld, or `undefined` when it refuses it. */
export const parseLongDouble = (s: string): LongDouble | undefined => {
  if (s.length === 0 || s.length >= 5120) return undefined
  const inf = INFINITE.exec(s)
  if (inf) return inf[1] === '-' ? -Infinity : Infinity
  const hex = HEX.exec(s)
  const match = hex ?? DECIMAL.exec(s)
  if (!match) return undefined
  const [, sign, whole = '', fraction = '', exponent = '0'] = match
  if (whole.length + fraction.length === 0) return undefined
  const negative = sign === '-'
  const digits = BigInt((hex ? '0x' : '') + ((whole + fraction).replace(/^0+(?=.)/, '') || '0'))
  let value: LongDouble
  if (hex) value = make(negative, digits, 1n, Number(exponent) - 4 * fraction.length)
  else {
    const power = Number(exponent) - fraction.length
    if (power > 5000 && digits !== 0n) return undefined
    if (power < -5200) return undefined
    value =
      power >= 0
        ? make(negative, digits * 10n ** BigInt(power), 1n, 0)
        : make(negative, digits, 10n ** BigInt(-power), 0)
  }
  // strtold's ERANGE: an overflow, or a non-zero input that underflows to zero; Valkey refuses both.
  if (typeof value === 'number') return undefined
  if (value.m !== 0n && value.e + 64 < -16445) return undefined
  return value
}

const add = (a: LongDouble, b: LongDouble): LongDouble => {
  if (typeof a === 'number' || typeof b === 'number') return Number.NaN
  const e = Math.min(a.e, b.e)
  const sum = (a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e))
  return make(sum < 0n, sum < 0n ? -sum : sum, 1n, e)
}

/** `%.17Lf` with trailing zeros (and a bare point) removed, `-0` written `0`, as ld2string does. */
const format = (value: { m: bigint; e: number }): string => {
  const negative = value.m < 0n
  let n = (negative ? -value.m : value.m) * 10n ** 17n
  if (value.e >= 0) n <<= BigInt(value.e)
  else {
    const den = 1n << BigInt(-value.e)
    const q = n / den
    const twice = (n % den) * 2n
    n = twice > den || (twice === den && (q & 1n) === 1n) ? q + 1n : q
  }
  const digits = n.toString().padStart(18, '0')
  const fraction = digits.slice(-17).replace(/0+$/, '')
  const text = digits.slice(0, -17) + (fraction === '' ? '' : `.${fraction}`)
  return negative && text !== '0' ? `-${text}` : text
}

/**
 * `current + increment` as Valkey's INCRBYFLOAT computes and stores it. `invalid` builds the error
 * for a `current` that is not a number (the two commands word it differently).
 */
export const incrementFloat = (current: string, increment: string, invalid: () => ReplyError): string => {
  const a = parseLongDouble(current)
  if (a === undefined) throw invalid()
  const b = parseLongDouble(increment)
  if (b === undefined) throw notFloat()
  const sum = add(a, b)
  if (typeof sum === 'number') throw nanOrInfinity()
  return format(sum)
}
