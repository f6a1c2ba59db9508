import { describe, expect, it } from 'vitest'
import { formatDuration, parseDuration } from '../../src/limit/duration.ts'

describe('parseDuration', () => {
  it('reads the notation @upstash/ratelimit users already write', () => {
    expect(parseDuration('10 s')).toBe(10_000)
    expect(parseDuration('10s')).toBe(10_000)
    expect(parseDuration('1 m')).toBe(60_000)
    expect(parseDuration('2h')).toBe(7_200_000)
    expect(parseDuration('1 d')).toBe(86_400_000)
    expect(parseDuration('1 w')).toBe(604_800_000)
    expect(parseDuration('250 ms')).toBe(250)
    expect(parseDuration('1.5 s')).toBe(1500)
    expect(parseDuration(1234)).toBe(1234)
  })

  it('throws a TypeError that names the bad value', () => {
    for (const bad of ['10 x', '', 's', '-1 s', '0 s', '0.5 ms', '1,5 s', 0, -5, 1.5, Number.NaN, null]) {
      expect(() => parseDuration(bad as never, 'window')).toThrow(TypeError)
    }
    expect(() => parseDuration('10 x' as never, 'window')).toThrow(/window .*received '10 x'/)
    expect(() => parseDuration(-5, 'window')).toThrow(/received -5/)
  })
})

describe('formatDuration', () => {
  it('names a window by its largest whole unit', () => {
    expect(formatDuration(10_000)).toBe('10s')
    expect(formatDuration(90_000)).toBe('90s')
    expect(formatDuration(86_400_000)).toBe('1d')
    expect(formatDuration(1500)).toBe('1500ms')
  })
})
