/**
 * When the bridge writes queued commands to Valkey. One write per event-loop turn (flushing on
 * `setImmediate`) already joins the commands of every request parsed in that turn; under load,
 * though, requests trickle in one per turn and each would cost its own write and read syscalls.
 * So while commands written earlier are still unanswered, the next flush waits for their
 * replies (or their failure): everything that arrived meanwhile leaves in one write. With
 * nothing outstanding (an idle bridge, or one request at a time) the flush is immediate, so a
 * lone request pays no extra latency; a busy bridge sends larger batches, at most one round trip
 * behind.
 */

/** The `schedule` for the TCP client, and `track` for every command handed to it. */
export interface Batcher {
  schedule(flush: () => void): void
  /** Counts `count` commands until `settled` settles; returns `settled`. */
  track<T>(count: number, settled: Promise<T>): Promise<T>
}

/**
 * @example
 * const batcher = createBatcher(setImmediate)
 * const client = createTcpClient({ url, connect, schedule: batcher.schedule })
 * const reply = await batcher.track(1, client.send(['INCR', 'k']))
 */
export const createBatcher = (defer: (run: () => void) => void): Batcher => {
  let flushes = 0
  /** Commands written and not settled yet. */
  let written = 0
  /** Commands handed over since the last flush. */
  let queued = 0
  let held: Array<() => void> = []
  const run = (flush: () => void) => () => {
    flushes++
    written += queued
    queued = 0
    flush()
  }
  const release = () => {
    const flushes = held
    held = []
    for (const flush of flushes) defer(run(flush))
  }
  return {
    schedule(flush) {
      if (written > 0) held.push(flush)
      else defer(run(flush))
    },
    track(count, settled) {
      const epoch = flushes
      queued += count
      const done = () => {
        if (flushes === epoch) queued -= count
        else written = Math.max(0, written - count)
        if (written === 0 && held.length > 0) release()
      }
      settled.then(done, done)
      return settled
    },
  }
}
