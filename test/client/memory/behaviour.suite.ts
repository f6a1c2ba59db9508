/** Runs a behaviour case against any `Client` and asserts each reply. */
import { expect } from 'vitest'
import type { Client, Reply } from '../../../src/client/types.ts'
import { ReplyError } from '../../../src/errors.ts'
import type { BehaviourCase, Expected } from './cases.ts'

const show = (arg: unknown): string =>
  arg instanceof Uint8Array
    ? `<${[...arg].map((b) => b.toString(16).padStart(2, '0')).join(' ')}>`
    : String(arg)

const check = (actual: Reply | unknown, expected: Expected, label: string): void => {
  if (
    expected !== null &&
    typeof expected === 'object' &&
    !Array.isArray(expected) &&
    !(expected instanceof Uint8Array)
  ) {
    if ('between' in expected) {
      expect(actual, label).toBeTypeOf('number')
      expect(actual as number, label).toBeGreaterThanOrEqual(expected.between[0])
      expect(actual as number, label).toBeLessThanOrEqual(expected.between[1])
      return
    }
    expect(actual, `${label} should fail`).toBeInstanceOf(ReplyError)
    if ('error' in expected) expect((actual as ReplyError).message, label).toBe(expected.error)
    else if ('prefix' in expected)
      expect((actual as ReplyError).message.startsWith(expected.prefix), label).toBe(true)
    else expect((actual as ReplyError).code, label).toBe(expected.code)
    return
  }
  if (actual instanceof Error) throw new Error(`${label} failed: ${actual.message}`, { cause: actual })
  expect(actual, label).toEqual(expected)
}

export const runCase = async (client: Client, behaviour: BehaviourCase): Promise<void> => {
  for (const [i, step] of behaviour.steps.entries()) {
    const label = `step ${i + 1}: ${step.script ? `eval ${step.script.name} ` : ''}${step.command.map(show).join(' ')}`
    let actual: unknown
    try {
      const options = step.bytes ? { bytes: true } : undefined
      if (step.script) {
        const numKeys = step.command[0] as number
        const keys = step.command.slice(1, 1 + numKeys) as string[]
        actual = await client.eval(step.script, keys, step.command.slice(1 + numKeys), options)
      } else actual = await client.send(step.command, options)
    } catch (error) {
      actual = error
    }
    check(actual, step.expected, label)
  }
}
