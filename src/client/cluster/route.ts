/**
 * Routing one command: find its keys, check they share a slot, and say whether a replica may serve
 * it. Commands the table does not know are looked up once with `COMMAND INFO` (cached per name);
 * commands whose keys depend on their arguments are asked with `COMMAND GETKEYS`.
 */
import { ReplyError } from '../../errors.ts'
import type { Command, Reply } from '../types.ts'
import { type CommandSpec, commandName, keysOf, knownSpec, specFromInfo } from './keys.ts'
import { keySlot } from './slot.ts'

export interface Route {
  /** The slot all keys hash to, or `undefined` for a command without keys. */
  slot: number | undefined
  readonly: boolean
}

/** Answers a command (or a MULTI ... EXEC) whose keys span several slots, before anything is sent. */
export const crossSlot = (name: string): ReplyError =>
  new ReplyError(
    name === 'MULTI'
      ? "CROSSSLOT Keys in request don't hash to the same slot (transaction): on a cluster, keep every key of a MULTI ... EXEC under one hash tag, e.g. {user:42}:a and {user:42}:b"
      : `CROSSSLOT Keys in request don't hash to the same slot (command '${name}'): on a cluster, give keys that belong together one hash tag, e.g. {user:42}:a and {user:42}:b`,
  )

/** The slot of all `keys`, `undefined` when there are none, or `-1` when they disagree. */
export const slotOfKeys = (keys: readonly unknown[]): number | undefined => {
  let slot: number | undefined
  for (const key of keys) {
    const next = keySlot(key as string)
    if (slot === undefined) slot = next
    else if (slot !== next) return -1
  }
  return slot
}

export class Router {
  #specs = new Map<string, Promise<CommandSpec>>()
  #ask: (command: Command) => Promise<Reply>

  /** `ask` sends a command to any node, for `COMMAND INFO` and `COMMAND GETKEYS`. */
  constructor(ask: (command: Command) => Promise<Reply>) {
    this.#ask = ask
  }

  /** The route of `command`, synchronously when the table knows it; a CROSSSLOT `ReplyError` rejects. */
  route(command: Command, name = commandName(command)): Route | Promise<Route> {
    const spec = knownSpec(name)
    return spec ? this.#finish(name, spec, keysOf(command, spec.keys)) : this.#slow(name, command)
  }

  async #slow(name: string, command: Command): Promise<Route> {
    let lookup = this.#specs.get(name)
    if (!lookup) {
      lookup = this.#ask(['COMMAND', 'INFO', name]).then((reply) => {
        const entry = Array.isArray(reply) ? reply[0] : null
        // Only commands the server knows are kept: the cache stays as small as the command table,
        // however many made-up names arrive (through the bridge, say).
        if (!Array.isArray(entry)) this.#specs.delete(name)
        return specFromInfo(entry)
      })
      lookup.catch(() => this.#specs.delete(name))
      this.#specs.set(name, lookup)
    }
    const spec = await lookup
    let keys = keysOf(command, spec.keys)
    if (keys === undefined) {
      try {
        const reply = await this.#ask(['COMMAND', 'GETKEYS', ...command])
        keys = Array.isArray(reply) ? (reply as string[]) : []
      } catch (error) {
        // "The command has no key arguments" or "Invalid arguments": let a node answer it.
        if (!(error instanceof ReplyError)) throw error
        keys = []
      }
    }
    return this.#finish(name, spec, keys)
  }

  #finish(name: string, spec: CommandSpec, keys: readonly unknown[] | undefined): Route {
    const slot = slotOfKeys(keys ?? [])
    if (slot === -1) throw crossSlot(name)
    return { slot, readonly: spec.readonly }
  }
}
