/**
 * What a command is made of, on the wire and above it: the arguments the encoder writes. Kept in
 * `resp/` so the protocol layer imports nothing above it; `client/types.ts` re-exports them.
 */

/** One argument of a command. Numbers are sent in their decimal form. */
export type Arg = string | number | Uint8Array

/** A command and its arguments, e.g. `['SET', 'k', 'v', 'PX', 1000]`. */
export type Command = readonly Arg[]
