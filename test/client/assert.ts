/**
 * A dependency-free `Assert` for the runtime runners (workerd, Deno), where vitest is not loaded.
 * Throws an `Error` whose message shows both values.
 */
import type { Assert } from './client.suite.ts'

const same = (a: unknown, b: unknown): boolean => {
  if (Object.is(a, b)) return true
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((byte, i) => byte === b[i])
  }
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => same(item, b[i]))
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = Object.keys(a)
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    )
  }
  return false
}

const show = (value: unknown): string => {
  if (value instanceof Uint8Array)
    return `Uint8Array[${[...value.subarray(0, 16)].join(',')}${value.length > 16 ? ',...' : ''}]`
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value)
  } catch {
    return String(value)
  }
}

export const simpleAssert: Assert = {
  equal(actual, expected, message) {
    if (!Object.is(actual, expected))
      throw new Error(`${message ?? 'equal'}: expected ${show(expected)}, got ${show(actual)}`)
  },
  deepEqual(actual, expected, message) {
    if (!same(actual, expected))
      throw new Error(`${message ?? 'deepEqual'}: expected ${show(expected)}, got ${show(actual)}`)
  },
  async rejects(promise, expected) {
    let error: unknown
    try {
      await promise
    } catch (caught) {
      error = caught
    }
    if (error === undefined)
      throw new Error(`expected a rejection matching ${show(expected)}, but it resolved`)
    const e = error as { name?: string; code?: string; message?: string }
    if (expected.name !== undefined && e.name !== expected.name) {
      throw new Error(`expected error name ${expected.name}, got ${e.name}: ${e.message}`)
    }
    if (expected.code !== undefined && e.code !== expected.code) {
      throw new Error(`expected error code ${expected.code}, got ${e.code}: ${e.message}`)
    }
    if (expected.message !== undefined && !expected.message.test(e.message ?? '')) {
      throw new Error(`expected error message matching ${expected.message}, got ${e.message}`)
    }
  },
}
