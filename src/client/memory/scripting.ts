/**
 * Scripts on the memory backend. It cannot run Lua; it runs a script's TypeScript twin instead,
 * synchronously, so no other command interleaves (the atomicity EVAL gives on Valkey), with the
 * clock frozen for the run as Valkey freezes it. Scripts are found by their Lua text (EVAL) or
 * SHA1 (EVALSHA) among those the client has seen through `client.eval` or SCRIPT LOAD.
 */
import { ReplyError } from '../../errors.ts'
import { scriptSha } from '../script.ts'
import type { Arg, Reply, Script, TwinContext } from '../types.ts'
import { fromBytes, str } from './bytes.ts'
import { lookup } from './dispatch.ts'
import type { Keyspace } from './keyspace.ts'
import { smallIntegerArg } from './numbers.ts'
import { OK, type Out, Status, wrongArity } from './reply.ts'
import { read, readIntegers, writeIntegersWithTtl, writeWithTtl } from './strings.ts'
import { isText } from './text.ts'

/** The commands that run scripts: a script may not call them. */
export const SCRIPTING: ReadonlySet<string> = new Set([
  'EVAL',
  'EVALSHA',
  'SCRIPT',
  'EVAL_RO',
  'EVALSHA_RO',
  'FCALL',
])

/** Why a script cannot run here, and what to do about it. */
export const noTwinMessage = (name: string): string =>
  `script ${name} has no TypeScript twin: the memory backend (the default when no URL is configured) ` +
  'runs a twin instead of Lua; pass `twin` to defineScript(), or configure a Valkey URL'

/**
 * A twin's result as Valkey turns the Lua value into a reply: numbers truncated to integers,
 * `true` to 1, `false` and `null` to nil. `null` stands for what `redis.call` gives for a nil reply,
 * which is Lua's `false`, so it stays in an array; `undefined` stands for Lua's `nil`, which ends
 * an array (Valkey stops at the first nil of a table).
 */
const luaReply = (value: unknown): Out => {
  if (typeof value === 'number') return Math.trunc(value)
  if (typeof value === 'string' || value === null) return value
  if (Array.isArray(value)) {
    // The common reply of a limiter twin, integers only, needs no conversion and no copy.
    let i = 0
    while (i < value.length && Number.isInteger(value[i])) i++
    if (i === value.length) return value as number[]
    const out: Out[] = []
    for (const item of value) {
      if (item === undefined) break
      out.push(luaReply(item))
    }
    return out
  }
  if (value instanceof Uint8Array) return fromBytes(value)
  if (value === true) return 1
  return null
}

/** `args` as the twin receives them: canonical strings, the array itself when already so. */
const strings = (args: readonly Arg[]): readonly string[] => {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (typeof arg !== 'string' || !isText(arg)) return args.map(str)
  }
  return args as readonly string[]
}

export class Scripts {
  readonly #db: Keyspace
  readonly #byLua = new Map<string, Script>()
  readonly #bySha = new Map<string, Script>()
  readonly #context: TwinContext
  #last: Script | undefined
  /** The last frozen argument array found canonical: a limiter sends the same one every time. */
  #checked: readonly Arg[] | undefined

  constructor(db: Keyspace) {
    this.#db = db
    this.#context = {
      call: (...args: Arg[]): Reply => {
        // Valkey words these refusals differently inside a script than at the top level.
        if (args.length === 0) throw new ReplyError('ERR Please specify at least one argument for this call')
        const spec = lookup(args[0])
        if (spec === undefined) {
          const scripting = SCRIPTING.has(str(args[0]).toUpperCase())
          throw new ReplyError(
            scripting
              ? 'ERR This Redis command is not allowed from script'
              : 'ERR Unknown command called from script',
          )
        }
        const arity = spec.arity
        if (arity > 0 ? args.length !== arity : args.length < -arity) {
          throw new ReplyError('ERR Wrong number of args calling command from script')
        }
        const out = spec.run(db, args)
        return out instanceof Status ? out.value : (out as Reply)
      },
      now: () => db.now(),
      get: (key) => read(db, str(key)),
      setPx: (key, value, ttl) => writeWithTtl(db, str(key), value, ttl),
      getIntegers: (key) => readIntegers(db, str(key)),
      setIntegersPx: (key, integers, ttl) => writeIntegersWithTtl(db, str(key), integers, ttl),
    }
  }

  /** Remembers `script` so EVAL and EVALSHA through `send` find it too. */
  remember(script: Script): void {
    // A limiter runs one script over and over: looking its text up again (4 KB) costs more
    // than the decision.
    if (script === this.#last) return
    this.#last = script
    if (this.#byLua.get(script.lua) !== script) this.#byLua.set(script.lua, script)
    if (script.sha !== undefined && !this.#bySha.has(script.sha)) this.#bySha.set(script.sha, script)
  }

  /** Runs `script`'s twin atomically; throws the ReplyError a failing `redis.call` raised. */
  run(script: Script, keys: readonly Arg[], args: readonly Arg[]): Out {
    const twin = script.twin
    if (twin === undefined) throw new ReplyError(`ERR ${noTwinMessage(script.name)}`)
    const db = this.#db
    db.freeze()
    try {
      return luaReply(twin(this.#context, strings(keys), this.#strings(args)))
    } finally {
      db.thaw()
    }
  }

  #strings(args: readonly Arg[]): readonly string[] {
    if (args === this.#checked) return args as readonly string[]
    const checked = strings(args)
    if (checked === args && Object.isFrozen(args)) this.#checked = args
    return checked
  }

  /** EVAL, EVALSHA and SCRIPT, sent as commands. */
  async command(name: string, args: readonly Arg[]): Promise<Out> {
    if (name === 'SCRIPT') return this.#script(args)
    if (args.length < 3) throw wrongArity(str(args[0]))
    const numKeys = smallIntegerArg(str(args[2]))
    if (numKeys < 0) throw new ReplyError("ERR Number of keys can't be negative")
    if (numKeys > args.length - 3)
      throw new ReplyError("ERR Number of keys can't be greater than number of args")
    const keys = args.slice(3, 3 + numKeys)
    const argv = args.slice(3 + numKeys)
    if (name === 'EVALSHA') {
      const script = await this.#find(str(args[1]).toLowerCase())
      if (script === undefined) throw new ReplyError('NOSCRIPT No matching script.')
      return this.run(script, keys, argv)
    }
    const lua = str(args[1])
    const script = this.#byLua.get(lua) ?? { name: 'sent with EVAL', lua }
    const out = this.run(script, keys, argv)
    this.remember(script)
    return out
  }

  async #find(sha: string): Promise<Script | undefined> {
    const known = this.#bySha.get(sha)
    if (known !== undefined) return known
    for (const script of this.#byLua.values()) {
      if (script.sha === undefined) {
        await scriptSha(script)
        this.remember(script)
      }
    }
    return this.#bySha.get(sha)
  }

  async #script(args: readonly Arg[]): Promise<Out> {
    if (args.length < 2) throw wrongArity('script')
    const sub = str(args[1]).toUpperCase()
    if (sub === 'LOAD' && args.length === 3) {
      const lua = str(args[2])
      const script = this.#byLua.get(lua) ?? { name: 'loaded with SCRIPT LOAD', lua }
      const sha = await scriptSha(script)
      this.remember(script)
      return sha
    }
    if (sub === 'EXISTS' && args.length >= 3) {
      const out: Out[] = []
      for (let i = 2; i < args.length; i++) out.push((await this.#find(str(args[i]).toLowerCase())) ? 1 : 0)
      return out
    }
    if (sub === 'FLUSH') {
      if (args.length > 3 || (args.length === 3 && !['ASYNC', 'SYNC'].includes(str(args[2]).toUpperCase()))) {
        throw new ReplyError('ERR SCRIPT FLUSH only support SYNC|ASYNC option')
      }
      this.#byLua.clear()
      this.#bySha.clear()
      this.#last = undefined
      return OK
    }
    if (sub === 'LOAD' || sub === 'EXISTS') throw wrongArity(`script|${sub.toLowerCase()}`)
    throw new ReplyError(`ERR unknown subcommand '${str(args[1])}'. Try SCRIPT HELP.`)
  }
}
