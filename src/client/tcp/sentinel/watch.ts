/**
 * Follows `+switch-master`: a connection to each Sentinel subscribed to that channel, whose
 * messages (`<name> <old ip> <old port> <new ip> <new port>`) tell the client the moment Sentinel
 * has promoted a replica, instead of when the old primary next fails it. Every Sentinel is
 * watched because the leader that ran the failover announces it first and the others only once
 * its hello messages reach them (every 2 s): watching one follower cost up to ~1 s in a planned
 * failover. A hint, as the protocol says: the client still checks `ROLE` on the node it moves to.
 * A Sentinel that goes away is retried with a backoff.
 */
import { RespDecoder } from '../../../resp/decode.ts'
import { encodeCommand } from '../../../resp/encode.ts'
import { delay } from '../../deadlines.ts'
import { openWithin, type Socket } from '../socket.ts'
import type { SentinelAccess } from './ask.ts'
import type { SentinelAddress } from './url.ts'

export interface Watch {
  close(): void
}

/**
 * Watches the Sentinels for a new primary of `access.name`.
 *
 * @example
 * const watch = watchSwitches(access, (primary) => console.log('new primary', primary))
 * watch.close()
 */
export const watchSwitches = (
  access: SentinelAccess,
  onSwitch: (primary: SentinelAddress) => void,
): Watch => {
  let closed = false
  const sockets = new Set<Socket>()

  const watchOne = async (sentinel: SentinelAddress) => {
    let failures = 0
    let socket: Socket | undefined
    const listen = (): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const controller = new AbortController()
        // Bounds connecting and subscribing both: a Sentinel that refuses AUTH never says `subscribe`.
        const timer = setTimeout(() => {
          controller.abort(new Error('timeout'))
          if (!subscribed) socket?.close()
        }, access.sentinelTimeout)
        let subscribed = false
        const decoder = new RespDecoder({
          onReply(reply) {
            if (!Array.isArray(reply)) return // AUTH's +OK
            if (reply[0] === 'subscribe') {
              subscribed = true
              failures = 0
              clearTimeout(timer)
            } else if (reply[0] === 'message' && typeof reply[2] === 'string') {
              const [name, , , host, port] = reply[2].split(' ')
              if (name === access.name && host && port) onSwitch({ host, port: Number(port) })
            }
          },
        })
        const opening = access.connect(
          {
            host: sentinel.host,
            port: sentinel.port,
            tls: access.tls,
            timeout: access.sentinelTimeout,
            signal: controller.signal,
          },
          {
            onData(chunk) {
              try {
                decoder.feed(chunk)
              } catch (error) {
                socket?.close()
                reject(error)
              }
            },
            onClose(error) {
              clearTimeout(timer)
              if (subscribed) resolve()
              else reject(error ?? new Error('closed'))
            },
          },
        )
        openWithin(opening, controller.signal, (late) => late.close()).then(
          (open) => {
            if (closed) return open.close()
            socket = open
            sockets.add(open)
            if (access.sentinelPassword !== undefined) {
              const auth = access.sentinelUsername === undefined ? [] : [access.sentinelUsername]
              open.write(encodeCommand(['AUTH', ...auth, access.sentinelPassword]))
            }
            open.write(encodeCommand(['SUBSCRIBE', '+switch-master']))
          },
          (error) => {
            clearTimeout(timer)
            reject(error)
          },
        )
      })

    while (!closed) {
      try {
        await listen()
      } catch {
        failures++
      }
      if (socket) sockets.delete(socket)
      socket = undefined
      if (!closed) await delay(Math.min(1000, 50 * 2 ** Math.min(failures, 5)))
    }
  }
  for (const sentinel of access.sentinels) void watchOne(sentinel)
  return {
    close() {
      closed = true
      for (const socket of sockets) socket.close()
    },
  }
}
