/**
 * The digits Valkey 8 prints for a double: Grisu2 (Florian Loitsch, "Printing Floating-Point
 * Numbers Quickly and Accurately with Integers", PLDI 2010), as in the fpconv_dtoa Valkey ships.
 * Grisu2 finds the shortest round-tripping digits in about 99.9% of cases and a slightly longer
 * string in the rest (Valkey prints 2.4821168634703352 where JavaScript prints 2.482116863470335),
 * so matching Valkey byte for byte takes the same algorithm, 64-bit arithmetic done in BigInt.
 */

const MASK64 = (1n << 64n) - 1n
const LOW32 = (1n << 32n) - 1n

interface Fp {
  frac: bigint
  exp: number
}

/** 10^k for k = -348, -340, ..., 340 as normalized 64-bit significands, rounded to nearest. */
const POWERS: Fp[] = []
for (let k = -348; k <= 340; k += 8) {
  let frac: bigint
  let exp: number
  if (k >= 0) {
    const n = 10n ** BigInt(k)
    const shift = n.toString(2).length - 64
    frac = shift > 0 ? (n + (1n << BigInt(shift - 1))) >> BigInt(shift) : n << BigInt(-shift)
    exp = shift
  } else {
    // 2^s / 10^-k lands in [2^63, 2^64) for this s; round it to nearest.
    const d = 10n ** BigInt(-k)
    const s = 63 + d.toString(2).length
    frac = ((1n << BigInt(s)) + d / 2n) / d
    exp = -s
  }
  POWERS.push({ frac, exp })
}

const TENS = Array.from({ length: 20 }, (_, i) => 10n ** BigInt(19 - i))

const multiply = (a: Fp, b: Fp): Fp => {
  const ah = a.frac >> 32n
  const al = a.frac & LOW32
  const bh = b.frac >> 32n
  const bl = b.frac & LOW32
  const ahBl = ah * bl
  const alBh = al * bh
  const alBl = al * bl
  const ahBh = ah * bh
  const tmp = (ahBl & LOW32) + (alBh & LOW32) + (alBl >> 32n) + (1n << 31n)
  return { frac: (ahBh + (ahBl >> 32n) + (alBh >> 32n) + (tmp >> 32n)) & MASK64, exp: a.exp + b.exp + 64 }
}

const HIDDEN = 1n << 52n

const cachedPower = (exp: number): { power: Fp; k: number } => {
  let i = Math.trunc((Math.trunc(-(exp + 87) * 0.30102999566398114) + 348) / 8)
  for (;;) {
    const current = exp + POWERS[i]!.exp + 64
    if (current < -60) i++
    else if (current > -32) i--
    else return { power: POWERS[i]!, k: -348 + i * 8 }
  }
}

/** Grisu2's digits of `|d|` (finite, non-zero) and the decimal exponent K: value = digits * 10^K. */
export const grisu2 = (d: number): { digits: string; k: number } => {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, d)
  const bits = view.getBigUint64(0)
  const biased = Number((bits >> 52n) & 0x7ffn)
  let frac = bits & (HIDDEN - 1n)
  let exp: number
  if (biased !== 0) {
    frac += HIDDEN
    exp = biased - 1075
  } else exp = -1074
  // The boundaries halfway to the neighbouring doubles, normalized to the upper one's exponent.
  let upperFrac = (frac << 1n) + 1n
  let upperExp = exp - 1
  while ((upperFrac & (HIDDEN << 1n)) === 0n) {
    upperFrac <<= 1n
    upperExp--
  }
  upperFrac <<= 10n
  upperExp -= 10
  const lowerShift = frac === HIDDEN ? 2 : 1
  let lowerFrac = (frac << BigInt(lowerShift)) - 1n
  const lowerExp = exp - lowerShift
  lowerFrac <<= BigInt(lowerExp - upperExp)
  // Normalize w.
  let wFrac = frac
  let wExp = exp
  while ((wFrac & HIDDEN) === 0n) {
    wFrac <<= 1n
    wExp--
  }
  wFrac <<= 11n
  wExp -= 11
  const { power, k } = cachedPower(upperExp)
  const w = multiply({ frac: wFrac, exp: wExp }, power)
  const upper = multiply({ frac: upperFrac, exp: upperExp }, power)
  const lower = multiply({ frac: lowerFrac, exp: upperExp }, power)
  lower.frac++
  upper.frac--
  return generate(w, upper, lower, -k)
}

const generate = (w: Fp, upper: Fp, lower: Fp, k: number): { digits: string; k: number } => {
  const wfrac = upper.frac - w.frac
  let delta = upper.frac - lower.frac
  const shift = BigInt(-upper.exp)
  const one = 1n << shift
  let part1 = upper.frac >> shift
  let part2 = upper.frac & (one - 1n)
  const digits: number[] = []
  let kappa = 10
  for (let i = 10; kappa > 0; i++) {
    const div = TENS[i]!
    const digit = part1 / div
    if (digit !== 0n || digits.length > 0) digits.push(Number(digit))
    part1 -= digit * div
    kappa--
    const rest = (part1 << shift) + part2
    if (rest <= delta) {
      round(digits, delta, rest, div << shift, wfrac)
      return { digits: digits.join(''), k: k + kappa }
    }
  }
  let unit = 18
  for (;;) {
    part2 = (part2 * 10n) & MASK64
    delta = (delta * 10n) & MASK64
    kappa--
    const digit = part2 >> shift
    if (digit !== 0n || digits.length > 0) digits.push(Number(digit))
    part2 &= one - 1n
    if (part2 < delta) {
      round(digits, delta, part2, one, (wfrac * TENS[unit]!) & MASK64)
      return { digits: digits.join(''), k: k + kappa }
    }
    unit--
  }
}

const round = (digits: number[], delta: bigint, rest: bigint, kappa: bigint, frac: bigint): void => {
  // Unsigned 64-bit arithmetic, wrapping as the C original does.
  while (
    rest < frac &&
    ((delta - rest) & MASK64) >= kappa &&
    (((rest + kappa) & MASK64) < frac || ((frac - rest) & MASK64) > ((rest + kappa - frac) & MASK64))
  ) {
    digits[digits.length - 1]!--
    rest = (rest + kappa) & MASK64
  }
}
