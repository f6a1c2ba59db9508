/**
 * A hono-rate-limiter app ported by its import: hono-rate-limiter-app/original.ts runs on
 * hono-rate-limiter, ported.ts is the same file importing `rateLimiter` from floodgate/hono. The
 * same requests get the same statuses, bodies and headers (reset seconds aside: hono-rate-limiter's
 * window starts at a key's first hit, floodgate's windows are aligned to the clock, so both are
 * checked to lie within the window instead).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { clearOfWindowEdge } from '../support/clock.ts'

const folder = join(import.meta.dirname, 'hono-rate-limiter-app')

const RESET = new Set(['ratelimit-reset', 'retry-after'])

/** A request's status, body and rate-limit headers, with reset seconds checked and set aside. */
const call = async (app: Hono, path: string, headers: Record<string, string> = {}, method = 'GET') => {
  const response = await app.request(path, { method, headers })
  const seen: Record<string, string> = {}
  for (const [name, value] of response.headers) {
    if (!name.startsWith('ratelimit') && name !== 'retry-after') continue
    if (RESET.has(name)) {
      expect(Number(value)).toBeGreaterThan(0)
      expect(Number(value)).toBeLessThanOrEqual(15 * 60)
      seen[name] = '<seconds>'
    } else seen[name] = value.replace(/reset=\d+/, 'reset=<seconds>')
  }
  return { status: response.status, body: await response.text(), headers: seen }
}

const script = async (app: Hono) => [
  ...(await Promise.all([])),
  await call(app, '/api/data', { 'x-api-key': 'k1' }),
  await call(app, '/api/data', { 'x-api-key': 'k1' }),
  await call(app, '/api/data', { 'x-api-key': 'k1' }),
  await call(app, '/api/data', { 'x-api-key': 'k1' }),
  await call(app, '/api/data', { 'x-api-key': 'k2' }),
  await call(app, '/v7/data', { 'x-api-key': 'k1' }),
  await call(app, '/v7/data', { 'x-api-key': 'k1' }),
  await call(app, '/v7/data', { 'x-api-key': 'k1' }),
  // Successful logins are given back: three good ones, then two bad, then refused.
  await call(app, '/login', { 'x-password': 'right' }, 'POST'),
  await call(app, '/login', { 'x-password': 'right' }, 'POST'),
  await call(app, '/login', { 'x-password': 'right' }, 'POST'),
  await call(app, '/login', { 'x-password': 'wrong' }, 'POST'),
  await call(app, '/login', { 'x-password': 'wrong' }, 'POST'),
  await call(app, '/login', { 'x-password': 'right' }, 'POST'),
  await call(app, '/custom/data', { 'x-api-key': 'free' }),
  await call(app, '/custom/data', { 'x-api-key': 'free' }),
  await call(app, '/custom/data', { 'x-api-key': 'pro', 'x-plan': 'pro' }),
  await call(app, '/custom/data', { 'x-api-key': 'pro', 'x-plan': 'pro' }),
]

describe('a hono-rate-limiter app ported to floodgate/hono by its import', () => {
  it('differs from the original in the import line only', () => {
    // The code lines, the files' header comments aside.
    const lines = (file: string) =>
      readFileSync(join(folder, file), 'utf8')
        .split('\n')
        .filter((line) => !line.startsWith('//'))
    const original = lines('original.ts')
    const ported = lines('ported.ts')
    expect(ported).toHaveLength(original.length)
    const changed = original.map((line, i) => [line, ported[i]] as const).filter(([a, b]) => a !== b)
    expect(changed).toEqual([
      [
        'import { rateLimiter } from "hono-rate-limiter";',
        'import { rateLimiter } from "floodgate/hono"; // was: from "hono-rate-limiter"',
      ],
    ])
  })

  it('answers every request as the original does', async () => {
    const { app: original } = await import('./hono-rate-limiter-app/original.ts')
    const { app: ported } = await import('./hono-rate-limiter-app/ported.ts')
    // floodgate's windows are aligned to the clock: keep the script clear of a 1-minute edge.
    await clearOfWindowEdge(60_000, 5000)
    const theirs = await script(original)
    const ours = await script(ported)
    expect(ours).toEqual(theirs)
    // And the behaviour compared is the intended one, not a shared failure.
    expect(ours.map((r) => r.status)).toEqual([
      200, 200, 200, 429, 200, 200, 200, 503, 200, 200, 200, 401, 401, 429, 200, 429, 200, 200,
    ])
    expect(JSON.parse(ours[2]!.body)).toEqual({ limit: 3, remaining: 0, used: 3 })
    expect(ours[3]!.body).toBe('Too many requests, please try again later.')
    expect(ours[0]!.headers).toEqual({
      'ratelimit-policy': '3;w=900',
      'ratelimit-limit': '3',
      'ratelimit-remaining': '2',
      'ratelimit-reset': '<seconds>',
    })
    expect(ours[7]).toMatchObject({ body: '{"error":"Slow down"}' })
    expect(ours[6]!.headers).toEqual({
      'ratelimit-policy': '2;w=60',
      ratelimit: 'limit=2, remaining=0, reset=<seconds>',
    })
    expect(ours[15]).toEqual({ status: 429, body: 'custom refusal', headers: {} })
  })
})
