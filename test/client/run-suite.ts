/**
 * Runs the whole client suite against one client and returns one result per case, for runners
 * that report from inside another runtime (a Worker, an Edge Function) as data.
 */
import type { Client } from '../../src/client/types.ts'
import { simpleAssert } from './assert.ts'
import { clientSuite } from './client.suite.ts'

export interface CaseResult {
  name: string
  ok: boolean
  error?: string
}

export const runSuite = async (client: Client): Promise<CaseResult[]> => {
  const results: CaseResult[] = []
  for (const testCase of clientSuite) {
    try {
      await testCase.run(client, simpleAssert)
      results.push({ name: testCase.name, ok: true })
    } catch (error) {
      results.push({
        name: testCase.name,
        ok: false,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      })
    }
  }
  return results
}
