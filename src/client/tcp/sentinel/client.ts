/**
 * A `Client` in front of a Sentinel-managed primary (or, on request, one of its replicas), over
 * the ordinary TCP client. It asks the Sentinels where the primary is, checks `ROLE` on the node
 * before sending anything, and moves when:
 * - a Sentinel announces `+switch-master` (a subscription kept on one Sentinel): at once, so a
 *   client never keeps writing to a primary that Sentinel has already replaced, which a planned
 *   failover leaves accepting writes for ~11 s and a paused one for ~10 s after it wakes;
 * - the node answers `READONLY` (it was demoted): rediscover, then resend the command once, as a
 *   refused write did not run;
 * - the connection breaks or a command times out: ask the Sentinels, and move if they name
 *   another node.
 * Commands issued while no node is known wait for discovery, within their timeout.
 */
import { ReplyError, TimeoutError, TransportError } from '../../../errors.ts'
import { delay } from '../../deadlines.ts'
import { runScript } from '../../script.ts'
import type { Arg, Client, Command, Reply, Script, SendOptions } from '../../types.ts'
import { createTcpClient, type TcpClientOptions } from '../client.ts'
import type { TcpEndpoint } from '../url.ts'
import { askPrimary, askReplicas, type SentinelAccess } from './ask.ts'
import { parseSentinelUrl, type SentinelAddress, type SentinelUrl } from './url.ts'
import { type Watch, watchSwitches } from './watch.ts'

export interface SentinelClientOptions extends Omit<TcpClientOptions, 'url' | 'host' | 'port' | 'onPush'> {
  /** `redis+sentinel://[user:password@]host1:26379,host2:26379/mymaster[/db]`. */
  url?: string
  /** The Sentinels, when there is no URL. */
  sentinels?: SentinelAddress[]
  /** The primary's name in the Sentinels' configuration. */
  name?: string
  /** `'replica'` connects to a healthy replica (reads); default `'primary'`. */
  role?: 'primary' | 'replica'
  sentinelUsername?: string
  sentinelPassword?: string
  /** Milliseconds each Sentinel gets to answer (default 500). */
  sentinelTimeout?: number
  /** Subscribe to `+switch-master` on a Sentinel (default true; a Worker, whose sockets live for one request, passes false). */
  watch?: boolean
}

/** A Sentinel client: a `Client`, plus where it currently sends commands. */
export interface SentinelClient extends Client {
  /** The node in use, or undefined while none is known. */
  readonly address: SentinelAddress | undefined
  /** The node in use (discovering it if needed), with the data nodes' credentials: for a subscriber connection. */
  endpoint(): Promise<TcpEndpoint>
}

interface Current {
  client: Client
  address: SentinelAddress
  /**
   * Rejects once this node is no longer in use, releasing the commands still waiting on it: a
   * dead primary's client would hold them until their timeout, seconds after the new primary
   * could have answered.
   */
  left: Promise<never>
  leave(): void
}

const MOVED = 'the primary moved while the command was in flight; it may or may not have run'

const current = (client: Client, address: SentinelAddress): Current => {
  let leave = () => {}
  const left = new Promise<never>((_, reject) => {
    leave = () => reject(new TransportError(MOVED))
  })
  left.catch(() => {})
  return { client, address, left, leave }
}

const same = (a: SentinelAddress | undefined, b: SentinelAddress) => a?.host === b.host && a.port === b.port
/** A READONLY refusal, alone or raised inside a script (`ERR ... READONLY ...`). */
const isReadOnly = (error: unknown) =>
  error instanceof ReplyError && (error.code === 'READONLY' || /\bREADONLY\b/.test(error.message))

class SentinelTcpClient implements SentinelClient {
  readonly kind = 'tcp' as const
  readonly #options: SentinelClientOptions
  readonly #access: SentinelAccess
  readonly #target: SentinelUrl
  readonly #commandTimeout: number
  #current: Current | undefined
  #discovering: Promise<Current> | undefined
  #checking = false
  #watch: Watch | undefined
  #closed = false

  constructor(options: SentinelClientOptions, target: SentinelUrl) {
    this.#options = options
    this.#target = target
    this.#commandTimeout = options.commandTimeout ?? 10_000
    this.#access = {
      sentinels: [...target.sentinels],
      name: target.name,
      tls: target.tls,
      connect: options.connect,
      sentinelTimeout: options.sentinelTimeout ?? 500,
      ...(target.sentinelUsername === undefined ? {} : { sentinelUsername: target.sentinelUsername }),
      ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
    }
  }

  get address(): SentinelAddress | undefined {
    return this.#current?.address
  }

  async endpoint(): Promise<TcpEndpoint> {
    const { address } = this.#current ?? (await this.#discover())
    return this.#endpointAt(address)
  }

  /** How to reach `address` as the URL's user, database and TLS say. */
  #endpointAt(address: SentinelAddress): TcpEndpoint {
    const { username, password, db, tls } = this.#target
    return {
      host: address.host,
      port: address.port,
      tls,
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      ...(db === undefined ? {} : { db }),
    }
  }

  async send(command: Command, options?: SendOptions): Promise<Reply> {
    const current = this.#current ?? (await this.#ready(options))
    try {
      return await Promise.race([current.client.send(command, options), current.left])
    } catch (error) {
      if (!isReadOnly(error)) throw this.#noticed(current, error)
      this.#forget(current)
      return (await this.#ready(options)).client.send(command, options)
    }
  }

  async pipeline(commands: readonly Command[], options?: SendOptions): Promise<Array<Reply | ReplyError>> {
    const current = this.#current ?? (await this.#ready(options))
    let replies: Array<Reply | ReplyError>
    try {
      replies = await Promise.race([current.client.pipeline(commands, options), current.left])
    } catch (error) {
      throw this.#noticed(current, error)
    }
    if (!replies.some(isReadOnly)) return replies
    this.#forget(current)
    // Refused from the first command on: the node was a replica for all of the batch, so no write
    // in it ran and the whole batch can go to the new primary. Otherwise the caller decides.
    if (!isReadOnly(replies[0])) return replies
    return (await this.#ready(options)).client.pipeline(commands, options)
  }

  eval(script: Script, keys: readonly string[], args: readonly Arg[], options?: SendOptions): Promise<Reply> {
    return runScript((command, opts) => this.send(command, opts), script, keys, args, options)
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#watch?.close()
    const current = this.#current
    this.#current = undefined
    current?.leave()
    await current?.client.close()
  }

  /** The node to use, discovered if none is known; bounded by the command's timeout. */
  #ready(options?: SendOptions): Promise<Current> {
    if (this.#closed) return Promise.reject(new TransportError('the Sentinel client is closed'))
    const ms = options?.timeout ?? this.#commandTimeout
    const found = this.#discover()
    if (ms <= 0) return found
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TimeoutError(`no primary for "${this.#target.name}" found within ${ms} ms; it may still run`),
          ),
        ms,
      )
    })
    return Promise.race([found, late]).finally(() => clearTimeout(timer))
  }

  /** A transport failure or timeout: ask the Sentinels (in the background) whether the node moved. */
  #noticed(current: Current, error: unknown): unknown {
    if (
      (error instanceof TransportError || error instanceof TimeoutError) &&
      !this.#checking &&
      !this.#closed
    ) {
      this.#checking = true
      void this.#locate()
        .then((address) => {
          if (this.#current === current && !same(current.address, address)) return this.#moveTo(address)
        })
        .catch(() => {})
        .finally(() => (this.#checking = false))
    }
    return error
  }

  #forget(current: Current): void {
    if (this.#current !== current) return
    this.#current = undefined
    current.leave()
    void current.client.close()
  }

  /** Where the Sentinels say to go now. */
  async #locate(): Promise<SentinelAddress> {
    if (this.#target.role === 'primary') return askPrimary(this.#access)
    const replicas = await askReplicas(this.#access)
    return replicas[Math.floor(Math.random() * replicas.length)] ?? askPrimary(this.#access)
  }

  /** Finds a node with the wanted role and makes it current (one discovery at a time). */
  #discover(): Promise<Current> {
    if (this.#current) return Promise.resolve(this.#current)
    this.#discovering ??= (async () => {
      try {
        for (let attempt = 0; ; attempt++) {
          if (this.#closed) throw new TransportError('the Sentinel client is closed')
          try {
            return await this.#moveTo(await this.#locate())
          } catch (error) {
            if (attempt >= 50) throw error
            await delay(Math.min(250, 25 * 2 ** attempt))
          }
        }
      } finally {
        this.#discovering = undefined
      }
    })()
    if (!this.#watch && this.#options.watch !== false) {
      this.#watch = watchSwitches(this.#access, (address) => {
        if (this.#target.role === 'replica') {
          if (this.#current) this.#forget(this.#current)
        } else if (!same(this.#current?.address, address)) {
          void this.#moveTo(address).catch(() => this.#current && this.#forget(this.#current))
        }
      })
    }
    return this.#discovering
  }

  /** Connects to `address`, checks its role, and makes it current; the previous node is closed. */
  async #moveTo(address: SentinelAddress): Promise<Current> {
    const {
      url: _u,
      sentinels: _s,
      name: _n,
      role: _r,
      watch: _w,
      sentinelTimeout: _t,
      ...tcp
    } = this.#options
    const client = createTcpClient({ ...tcp, ...this.#endpointAt(address) })
    const want = this.#target.role === 'primary' ? 'master' : 'slave'
    let role: Reply
    try {
      role = await client.send(['ROLE'], { timeout: this.#access.sentinelTimeout * 2 })
    } catch (error) {
      void client.close()
      throw error
    }
    if (!Array.isArray(role) || role[0] !== want) {
      void client.close()
      throw new TransportError(
        `${address.host}:${address.port} is a ${Array.isArray(role) ? role[0] : '?'}, not a ${want}`,
      )
    }
    if (this.#closed) {
      void client.close()
      throw new TransportError('the Sentinel client is closed')
    }
    const previous = this.#current
    const next = current(client, address)
    this.#current = next
    if (previous) {
      previous.leave()
      void previous.client.close()
    }
    return next
  }
}

/**
 * A client for a primary managed by Valkey Sentinel.
 *
 * @example
 * import { createSentinelClient, waitForReplicas } from 'floodgate'
 * import { connect } from 'floodgate/node'
 * const client = createSentinelClient({ url: 'redis+sentinel://:pw@10.0.0.1:26379,10.0.0.2:26379/mymaster', connect })
 * await client.send(['INCR', 'hits'])
 */
export const createSentinelClient = (options: SentinelClientOptions): SentinelClient => {
  if (typeof options?.connect !== 'function') {
    throw new TypeError(
      "createSentinelClient needs a connect function: import { connect } from 'floodgate/node'",
    )
  }
  const fromUrl: Partial<SentinelUrl> = options.url === undefined ? {} : parseSentinelUrl(options.url)
  const sentinels = options.sentinels ?? fromUrl.sentinels
  const name = options.name ?? fromUrl.name
  if (!sentinels || sentinels.length === 0 || !name) {
    throw new TypeError(
      'createSentinelClient needs sentinels and the primary name: pass url (redis+sentinel://h1:26379,h2:26379/mymaster) or sentinels + name',
    )
  }
  const target: SentinelUrl = {
    ...fromUrl,
    sentinels,
    name,
    tls: options.tls ?? fromUrl.tls ?? false,
    role: options.role ?? fromUrl.role ?? 'primary',
  }
  for (const key of ['username', 'password', 'db', 'sentinelUsername', 'sentinelPassword'] as const) {
    const value = options[key]
    if (value !== undefined) (target as unknown as Record<string, unknown>)[key] = value
  }
  return new SentinelTcpClient(options, target)
}
