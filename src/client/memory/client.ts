/**
 * The embedded memory backend: a `Client` over an in-process keyspace, the default when no URL is
 * configured. It speaks the commands limiters and sessions use, with Valkey 8's replies and error
 * codes, and runs scripts through their TypeScript twins. Data lives in this process only: it is
 * not shared across isolates, workers or instances.
 */
import { ConfigError, ReplyError, TimeoutError, TransportError } from '../../errors.ts'
import { settled, settleEvals } from '../settled.ts'
import type { Arg, Client, Command, Reply, Script, SendOptions } from '../types.ts'
import { present, str } from './bytes.ts'
import { lookup, run, unknownCommand } from './dispatch.ts'
import { Keyspace } from './keyspace.ts'
import { Broker } from './pubsub.ts'
import { type Out, Status } from './reply.ts'
import { noTwinMessage, SCRIPTING, Scripts } from './scripting.ts'
import { isText } from './text.ts'

export interface MemoryClientOptions {
  /** The clock, in epoch milliseconds; inject one in tests. Default `Date.now`. */
  now?: () => number
  /** Keep at most this many keys, evicting the least recently used. Default: no cap. */
  maxKeys?: number
  /**
   * Also sweep expired keys every this many ms, on a timer that never keeps a process alive
   * (`unref`). Default 0: no timer; creating keys sweeps, which bounds memory by itself.
   */
  sweepInterval?: number
}

/** A reply as the caller receives it: status replies as strings, bulk strings as text or bytes. */
const deliver = (out: Out, bytes: boolean): Reply => {
  if (typeof out === 'number' || out === null) return out
  if (typeof out === 'string') return bytes || !isText(out) ? present(out, bytes) : out
  if (out instanceof Status) return out.value
  if (Array.isArray(out)) {
    let i = 0
    while (i < out.length && (typeof out[i] === 'number' || out[i] === null)) i++
    if (i === out.length) return out as Reply[]
    return out.map((item) => deliver(item, bytes))
  }
  return out
}

/**
 * Creates an in-process client. Commands run synchronously against a `Map`, so it suits tests,
 * development and single-process apps; every instance has its own data.
 *
 * @example
 * const client = createMemoryClient({ maxKeys: 100_000 })
 * await client.send(['SET', 'greeting', 'hello', 'EX', 60])
 * await client.send(['GET', 'greeting']) // 'hello'
 */
export const createMemoryClient = (options: MemoryClientOptions = {}): Client => {
  const { now = Date.now, maxKeys = Infinity, sweepInterval = 0 } = options
  if (typeof now !== 'function')
    throw new TypeError(`now must be a function returning epoch ms, received ${typeof now}`)
  if (maxKeys !== Infinity && !(Number.isSafeInteger(maxKeys) && maxKeys > 0)) {
    throw new TypeError(`maxKeys must be a positive integer, received ${maxKeys}`)
  }
  if (!(Number.isFinite(sweepInterval) && sweepInterval >= 0)) {
    throw new TypeError(`sweepInterval must be a number of ms >= 0, received ${sweepInterval}`)
  }
  const db = new Keyspace(now, maxKeys)
  const scripts = new Scripts(db)
  const broker = new Broker()
  let closed = false
  let timer: ReturnType<typeof setInterval> | undefined
  if (sweepInterval > 0) {
    timer = setInterval(() => db.sweep(10_000), sweepInterval)
    ;(timer as { unref?: () => void }).unref?.()
  }

  const check = (options: SendOptions | undefined): void => {
    if (closed)
      throw new TransportError('the memory client is closed; create a new one with createMemoryClient()')
    const signal = options?.signal
    if (signal?.aborted)
      throw new TimeoutError('the command was aborted before it ran', { cause: signal.reason })
  }

  const execute = (command: Command): Out | Promise<Out> => {
    if (!Array.isArray(command) || command.length === 0) {
      throw new TypeError('a command is a non-empty array such as ["GET", "key"]')
    }
    const spec = lookup(command[0])
    if (spec !== undefined) return run(db, spec, command)
    const name = str(command[0]).toUpperCase()
    if (name === 'PUBLISH' || name === 'SPUBLISH') {
      if (command.length !== 3)
        throw new ReplyError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`)
      const message = command[2]!
      return broker.publish(
        str(command[1]),
        typeof message === 'number' ? String(message) : message,
        name === 'SPUBLISH',
      )
    }
    if (SCRIPTING.has(name) && name !== 'FCALL') return scripts.command(name.replace('_RO', ''), command)
    throw unknownCommand(command)
  }

  const evalNow = (script: Script, keys: readonly string[], args: readonly Arg[], options?: SendOptions) => {
    check(options)
    if (script.twin === undefined) throw new ConfigError(noTwinMessage(script.name))
    scripts.remember(script)
    return deliver(scripts.run(script, keys, args), options?.bytes === true)
  }

  const client: Client = {
    kind: 'memory',
    async send(command, options) {
      check(options)
      const out = execute(command)
      return deliver(out instanceof Promise ? await out : out, options?.bytes === true)
    },
    async pipeline(commands, options) {
      check(options)
      const bytes = options?.bytes === true
      const replies: Array<Reply | ReplyError> = []
      // One clock reading for the batch, as Valkey reads its clock once for the commands it reads
      // together: a PEXPIRE GT after a SET PX in one pipeline compares equal instants on both.
      db.freeze()
      try {
        for (const command of commands) {
          try {
            let out = execute(command)
            if (out instanceof Promise) {
              db.thaw()
              try {
                out = await out
              } finally {
                db.freeze()
              }
            }
            replies.push(deliver(out, bytes))
          } catch (error) {
            if (!(error instanceof ReplyError)) throw error
            replies.push(error)
          }
        }
      } finally {
        db.thaw()
      }
      return replies
    },
    eval(script, keys, args, options) {
      // Answered in process: the reply rides on the promise, for callers that can take it at once.
      try {
        return settled(evalNow(script, keys, args, options))
      } catch (error) {
        return Promise.reject(error)
      }
    },
    async openSubscriber(handlers, subscriberOptions) {
      // A closed memory client never comes back: a TypeError ends the subscription instead of a retry loop.
      if (closed) throw new TypeError('the memory client is closed; subscribe with a new one')
      return broker.open(handlers, subscriberOptions)
    },
    async close() {
      closed = true
      broker.close()
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
    },
  }
  settleEvals(client, evalNow)
  return client
}
