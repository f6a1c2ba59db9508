/**
 * Keyless commands whose answer covers the whole keyspace: on a cluster they go to every primary
 * and the replies are combined (`DBSIZE` sums, `KEYS` concatenates, `SCRIPT EXISTS` is true only
 * where every primary has the script, `FLUSHALL`/`SCRIPT LOAD` answer as one node would). `SCAN`
 * keeps a cursor per node, so it is refused with a clear error rather than silently scanning one.
 */
import { ReplyError } from '../../errors.ts'
import type { Command, Reply, SendOptions } from '../types.ts'
import { commandName } from './keys.ts'
import type { ClusterNodes } from './nodes.ts'

const subcommand = (command: Command) => String(command[1] ?? '').toUpperCase()

const WHOLE = new Set(['FLUSHALL', 'FLUSHDB', 'DBSIZE', 'KEYS', 'SCAN'])
const SCRIPT = new Set(['LOAD', 'FLUSH', 'EXISTS'])

/** True for the commands `broadcast` answers. */
export const isBroadcast = (command: Command, name = commandName(command)): boolean => {
  return WHOLE.has(name) || (name === 'SCRIPT' && SCRIPT.has(subcommand(command)))
}

/** Sends `command` to every primary and combines the replies as described above. */
export const broadcast = async (
  command: Command,
  nodes: ClusterNodes,
  options?: SendOptions,
): Promise<Reply> => {
  const name = commandName(command)
  if (name === 'SCAN') {
    throw new ReplyError(
      'ERR SCAN walks one node of a cluster: keep the keys you need to list under one hash tag (and use KEYS on that pattern), or scan each primary',
    )
  }
  const replies = await Promise.all(
    nodes.primaries().map((node) => nodes.client(node).send(command, options)),
  )
  if (name === 'DBSIZE') return replies.reduce<number>((sum, reply) => sum + Number(reply), 0)
  if (name === 'KEYS') return replies.flatMap((reply) => (Array.isArray(reply) ? reply : []))
  if (name === 'SCRIPT' && subcommand(command) === 'EXISTS') {
    return (replies[0] as number[]).map((_, i) =>
      replies.every((reply) => (reply as number[])[i] === 1) ? 1 : 0,
    )
  }
  return replies[0]!
}
