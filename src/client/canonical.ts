/**
 * Argument arrays checked once to hold only canonical strings (text without a lone surrogate, the
 * form the memory backend keeps keys in), then marked and frozen, so the memory backend takes them
 * as they are on every call. A limiter passes each identifier's keys on every decision: looking
 * the array up in a WeakSet instead cost the memory backend 7–13% of its decisions per second.
 */
interface WellFormed {
  isWellFormed(): boolean
}
/** True when `s` holds no lone surrogate, i.e. it is plain text (ES2024, in every target runtime). */
export const isText = (s: string): boolean => (s as unknown as WellFormed).isWellFormed()

const CANONICAL: unique symbol = Symbol('canonical')

type Marked = readonly string[] & { readonly [CANONICAL]?: true }

/** Freezes `args`, marked canonical when every one is text. */
export const frozenArgs = (args: string[]): readonly string[] => {
  if (args.every(isText)) (args as { [CANONICAL]?: true })[CANONICAL] = true
  return Object.freeze(args)
}

/** Whether `args` came from `frozenArgs` and is all text. */
export const isCanonical = (args: readonly unknown[]): args is readonly string[] =>
  (args as Marked)[CANONICAL] === true
