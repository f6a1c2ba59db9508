/**
 * Command dispatch: one `Map` from command name to handler, holding each name in upper and lower
 * case so the usual spellings resolve with a single lookup and no string allocation; any other
 * casing is upper-cased once. Arity is checked here, as Valkey checks it before the command runs.
 */
import { ReplyError } from '../../errors.ts'
import type { Arg } from '../types.ts'
import { str } from './bytes.ts'
import type { CommandSpec } from './command.ts'
import { hashCommands } from './hashes.ts'
import { keyCommands } from './keys.ts'
import type { Keyspace } from './keyspace.ts'
import { type Out, wrongArity } from './reply.ts'
import { serverCommands } from './server.ts'
import { setCommands } from './sets.ts'
import { sortedSetCommands } from './sorted-sets.ts'
import { stringCommands } from './strings.ts'

const table = new Map<string, CommandSpec>()
for (const group of [
  stringCommands,
  keyCommands,
  hashCommands,
  setCommands,
  sortedSetCommands,
  serverCommands,
]) {
  for (const [name, spec] of Object.entries(group)) {
    table.set(name, spec)
    table.set(name.toLowerCase(), spec)
  }
}

/** Valkey's reply to a command it does not know, quoting the first arguments (128 chars at most). */
export const unknownCommand = (args: readonly Arg[]): ReplyError => {
  let quoted = ''
  for (let i = 1; i < args.length && quoted.length < 128; i++) {
    quoted += `'${str(args[i]).slice(0, 128 - quoted.length)}' `
  }
  return new ReplyError(
    `ERR unknown command '${str(args[0]).slice(0, 128)}', with args beginning with: ${quoted}`,
  )
}

/** The handler for `name`, or `undefined` when the memory backend does not have that command. */
export const lookup = (name: Arg | undefined): CommandSpec | undefined =>
  (typeof name === 'string' ? table.get(name) : undefined) ?? table.get(str(name).toUpperCase())

/** Runs `spec` after checking the arity, as Valkey checks it before the command runs. */
export const run = (db: Keyspace, spec: CommandSpec, args: readonly Arg[]): Out => {
  const arity = spec.arity
  if (arity > 0 ? args.length !== arity : args.length < -arity) throw wrongArity(str(args[0]))
  return spec.run(db, args)
}
