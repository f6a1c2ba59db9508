/**
 * Ends a script or function that holds Valkey past the bridge's upstream timeout. A runaway
 * `EVAL_RO` (an endless loop needs no write permission) makes Valkey answer `BUSY` to every
 * client; the only cure short of a restart is `SCRIPT KILL` (or `FUNCTION KILL` for an FCALL),
 * which Valkey reads only from another connection, and only once the script has run past
 * `busy-reply-threshold` (acl-users.ts lowers it to the upstream timeout where it may). So when a
 * request times out, the bridge sends both on its admin connection to every node: one ends the
 * script, the other answers NOTBUSY or BUSY, and with no script running both answer NOTBUSY.
 * A script that has already written cannot be ended (`UNKILLABLE`): that is logged as an error.
 */
import type { Client } from '../client/types.ts'
import { ReplyError } from '../errors.ts'
import type { Logger } from './log.ts'

export interface AdminConnection {
  /** `host:port`, for the log. */
  address: string
  client: Client
}

/** How long a kill may wait for Valkey to read it (a busy node reads nothing before its threshold). */
const KILL_TIMEOUT = 30_000

/**
 * @example
 * const watchdog = createScriptWatchdog([{ address: '127.0.0.1:6379', client: admin }], log)
 * watchdog.kill() // after a request timed out
 */
export const createScriptWatchdog = (admins: readonly AdminConnection[], log: Logger): { kill(): void } => {
  let running = false
  const killOn = async ({ address, client }: AdminConnection): Promise<void> => {
    const replies = await client.pipeline(
      [
        ['SCRIPT', 'KILL'],
        ['FUNCTION', 'KILL'],
      ],
      { timeout: KILL_TIMEOUT },
    )
    const ended = replies.indexOf('OK')
    if (ended !== -1) {
      log('warn', 'ended a script that held Valkey past the upstream timeout', {
        node: address,
        by: ended === 0 ? 'SCRIPT KILL' : 'FUNCTION KILL',
      })
      return
    }
    const unkillable = replies.find((r) => r instanceof ReplyError && r.code === 'UNKILLABLE')
    if (unkillable) {
      log('error', 'a script that has written holds Valkey and cannot be ended; it must finish', {
        node: address,
        cause: (unkillable as ReplyError).message,
      })
    }
  }
  return {
    kill() {
      // Every request stuck behind the script times out at about the same time: one kill does.
      if (running) return
      running = true
      Promise.allSettled(admins.map(killOn)).then((results) => {
        running = false
        for (const result of results) {
          if (result.status === 'rejected')
            log('warn', 'could not send SCRIPT KILL', { error: result.reason })
        }
      })
    },
  }
}
