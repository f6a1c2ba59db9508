/**
 * Registers the shared end-to-end cases as vitest tests against one target, on an empty Valkey
 * each. Cases that choose the client IP are registered only where the runtime lets a test do so.
 */
import { it } from 'vitest'
import { assert, cases, type Target } from '../cases.ts'

export const runCases = (setsIp: boolean, target: () => Target, reset: () => void | Promise<void>): void => {
  for (const c of cases.filter((c) => setsIp || !c.needsIp)) {
    it(c.name, async () => {
      await reset()
      await c.run(target(), assert)
    })
  }
}
