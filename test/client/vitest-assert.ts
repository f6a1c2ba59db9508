/** The suite's `Assert` over vitest's `expect`, for runners inside Node. */
import { expect } from 'vitest'
import type { Assert } from './client.suite.ts'

export const vitestAssert: Assert = {
  equal: (actual, expected, message) => expect(actual, message).toBe(expected),
  deepEqual: (actual, expected, message) => expect(actual, message).toEqual(expected),
  async rejects(promise, expected) {
    const error = await promise.then(
      (value) => {
        throw new Error(`expected a rejection, but it resolved with ${JSON.stringify(value)}`)
      },
      (caught: unknown) => caught,
    )
    expect(error).toMatchObject({
      ...(expected.name === undefined ? {} : { name: expected.name }),
      ...(expected.code === undefined ? {} : { code: expected.code }),
      ...(expected.message === undefined ? {} : { message: expect.stringMatching(expected.message) }),
    })
  },
}
