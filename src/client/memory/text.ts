/**
 * Whether a string is plain text: no lone surrogate. The memory backend keeps keys and values in
 * a canonical form where text is itself and anything else is the bytes it encodes.
 */
interface WellFormed {
  isWellFormed(): boolean
}

/** True when `s` holds no lone surrogate, i.e. it is plain text (ES2024, in every target runtime). */
export const isText = (s: string): boolean => (s as unknown as WellFormed).isWellFormed()
