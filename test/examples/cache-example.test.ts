/** examples/cache/llm.ts, run as its README says: misses, a hit, one request for 5 callers, a stale serve. */
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')

describe('examples/cache', () => {
  it('prints misses, hits, one endpoint request for 5 concurrent callers, and a stale serve', () => {
    const env: Record<string, string | undefined> = { ...process.env }
    delete env.FLOODGATE_URL
    const out = execFileSync('npx', ['tsx', 'examples/cache/llm.ts'], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 30_000,
    })
    const status = (label: string) => new RegExp(`^${label}\\s+(\\w+)`, 'm').exec(out)?.[1]
    expect(status('first call')).toBe('miss')
    expect(status('same call again')).toBe('hit')
    expect(status('after expiry, within grace')).toBe('stale')
    expect(status('after the refresh')).toBe('hit')
    expect(out).toMatch(/^after the refresh .*\(4\) an answer/m)
    expect(out).toContain('endpoint requests: 4 (the 5 concurrent callers made 1 of them)')
    expect(out).toContain('hits 2, misses 3, stale served 1, refreshes 1')
  }, 40_000)
})
