/**
 * A consumer that never reads while 100 MB are published (1000 messages of 100 KB): its process's
 * memory stays near its buffer bound, whatever the policy, and the loss is reported as a gap.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import { createTcpClient } from '../../src/index.ts'
import { useValkey } from '../support/use-valkey.ts'

const valkey = useValkey()
const CHILD = join(import.meta.dirname, 'slow-consumer.child.ts')
const MB = 1024 * 1024
const BOUND = 4 * MB

// 100 messages of 100 KB per call: 10 MB, under Valkey's 32 MB pub/sub output-buffer hard limit.
const BURST = "for i = 1, 100 do redis.call('PUBLISH', KEYS[1], string.rep('x', 102400)) end return 1"

interface Result {
  peak: number
  received: number
  dropped: number
  bufferedBytes: number
  reconnects: number
  gaps: string[]
}

const run = async (overflow: 'drop-oldest' | 'pause'): Promise<Result> => {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', CHILD, valkey.url, overflow, String(BOUND)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  let out = ''
  child.stdout!.on('data', (chunk) => (out += chunk))
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  const line = (n: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const lines = out.split('\n')
        if (lines.length > n) return resolve(lines[n - 1]!)
        if (exited) return reject(new Error(`the subscriber exited before line ${n}: ${out}`))
        setTimeout(check, 20)
      }
      check()
    })
  await line(1)
  const pub = createTcpClient({ url: valkey.url, connect, commandTimeout: 30_000 })
  for (let i = 0; i < 10; i++) {
    await pub.send(['EVAL', BURST, 1, 'firehose'])
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await new Promise((resolve) => setTimeout(resolve, 1000))
  await pub.close()
  child.stdin!.write('done\n')
  return JSON.parse(await line(2)) as Result
}

describe('a slow consumer', () => {
  it('with drop-oldest: 100 MB published, the process holds under half of it (4 MB buffer bound)', async () => {
    const result = await run('drop-oldest')
    console.log('drop-oldest', { ...result, peakMB: (result.peak / MB).toFixed(1) })
    expect(result.received).toBe(1000)
    expect(result.bufferedBytes).toBeLessThanOrEqual(BOUND)
    expect(result.dropped).toBeGreaterThanOrEqual(1000 - BOUND / (100 * 1024))
    expect(result.gaps[0]).toBe('overflow')
    // 100 MB went through; the process held at most a fraction of it.
    expect(result.peak).toBeLessThan(48 * MB)
  }, 120_000)

  it('with pause: the socket stops being read, Valkey cuts the client at its output-buffer limit, a gap is reported', async () => {
    valkey.server.cli('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 16mb 0 0')
    const result = await run('pause')
    console.log('pause', { ...result, peakMB: (result.peak / MB).toFixed(1) })
    expect(result.received).toBeGreaterThan(0)
    expect(result.received).toBeLessThan(1000)
    expect(result.bufferedBytes).toBeLessThanOrEqual(BOUND + 200 * 1024)
    expect(result.reconnects).toBeGreaterThanOrEqual(1)
    expect(result.gaps).toContain('reconnect')
    expect(result.peak).toBeLessThan(48 * MB)
  }, 120_000)
})
