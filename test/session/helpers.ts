/** Small helpers for the session suites: carry a Set-Cookie into the next request's Cookie. */
import { expect } from 'vitest'

export const SECRET_A = 'q7Vd2mXk9LpR4sTz8WnB3cHy6JfG1aEo'
export const SECRET_B = 'Zr5Tn8Kc2Wq7Mv4Bx9Ls3Hd6Pf1Gy0Ju'
export const SECRET_C = 'Hm3Xc8Vb1Nz6Qw4Re9Ty2Ui7Op5As0Df'

/** A request carrying `cookie` (a `name=value` pair), or none. */
export const request = (cookie?: string): Request =>
  new Request('https://app.example/', cookie ? { headers: { cookie } } : {})

/** The one Set-Cookie line in `headers`, or undefined when there is none. */
export const setCookie = (headers: Headers): string | undefined => {
  const all = headers.getSetCookie()
  expect(all.length).toBeLessThanOrEqual(1)
  return all[0]
}

/** `name=value` from a Set-Cookie line, as a browser would send it back. */
export const pairOf = (line: string | undefined): string => {
  if (!line) throw new Error('expected a Set-Cookie header')
  return line.split(';')[0]!
}

/** The Max-Age of a Set-Cookie line. */
export const maxAgeOf = (line: string | undefined): number => Number(/Max-Age=(\d+)/.exec(line ?? '')?.[1])

/** A clock tests move by hand. */
export const manualClock = (start = 1_800_000_000_000) => {
  let t = start
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms
    },
  }
}
