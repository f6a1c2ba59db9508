import { describe, expect, it } from 'vitest'
import { createBatcher } from '../../src/bridge/batch.ts'

/** A deferred promise and its settle functions. */
const deferred = () => {
  let resolve!: (v: string) => void
  let reject!: (e: Error) => void
  const promise = new Promise<string>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('createBatcher', () => {
  it('flushes on the next turn when nothing is outstanding', async () => {
    const batcher = createBatcher((run) => setTimeout(run, 0))
    const flushed: string[] = []
    batcher.schedule(() => flushed.push('a'))
    expect(flushed).toEqual([])
    await tick()
    expect(flushed).toEqual(['a'])
  })

  it('holds the next flush while written commands are unanswered, then writes it at once', async () => {
    const batcher = createBatcher((run) => setTimeout(run, 0))
    const flushed: string[] = []
    const first = deferred()
    batcher.schedule(() => flushed.push('first'))
    batcher.track(1, first.promise)
    await tick()
    expect(flushed).toEqual(['first'])
    // A second command while the first is in flight: held.
    const second = deferred()
    batcher.schedule(() => flushed.push('second'))
    batcher.track(2, second.promise)
    await tick()
    expect(flushed).toEqual(['first'])
    first.resolve('reply')
    await tick()
    await tick()
    expect(flushed).toEqual(['first', 'second'])
    // A failure releases held flushes as well.
    const third = deferred()
    batcher.schedule(() => flushed.push('third'))
    batcher.track(1, third.promise)
    await tick()
    expect(flushed).toEqual(['first', 'second'])
    second.reject(new Error('connection broke'))
    await second.promise.catch(() => {})
    await tick()
    await tick()
    expect(flushed).toEqual(['first', 'second', 'third'])
  })

  it('does not wait for a command that settled before it was written', async () => {
    const batcher = createBatcher((run) => setTimeout(run, 0))
    const flushed: string[] = []
    const timedOut = deferred()
    batcher.schedule(() => flushed.push('a'))
    batcher.track(1, timedOut.promise)
    timedOut.reject(new Error('timeout'))
    await timedOut.promise.catch(() => {})
    await tick()
    expect(flushed).toEqual(['a'])
    batcher.schedule(() => flushed.push('b'))
    await tick()
    expect(flushed).toEqual(['a', 'b'])
  })
})
