/** One test per pub/sub case, passing when the runtime reported it ok. */
import { expect, it } from 'vitest'
import { type CaseResult, pubsubCases } from '../../pubsub/cases.ts'

export const reportPubsub = (
  runtime: string,
  results: () => CaseResult[],
  prefix = '',
  output = () => '',
): void => {
  for (const testCase of pubsubCases) {
    const name = `${prefix}${testCase.name}`
    it(`${runtime}: ${name}`, () => {
      expect(
        results().find((r) => r.name === name),
        output().slice(-3000),
      ).toEqual({ name, ok: true })
    })
  }
}
