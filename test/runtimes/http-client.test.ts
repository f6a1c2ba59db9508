/**
 * The client suite over HTTP inside the runtimes: workerd (Miniflare), the edge-runtime VM (Vercel
 * Edge) and Deno, against the real bridge in front of a real valkey-server. The workerd and edge
 * bundles are built with esbuild and answer with one result per case; Deno runs `deno test` and
 * its TAP lines are read. Each case is reported as its own test.
 */

import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { EdgeRuntime } from 'edge-runtime'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { beforeAll, describe, expect, it } from 'vitest'
import { TOKEN, useBridge } from '../bridge/support.ts'
import { clientSuite } from '../client/suite.ts'
import { useValkey } from '../support/use-valkey.ts'
import type { CaseResult } from './http-worker.ts'

const bundle = async (entry: string, format: 'esm' | 'iife'): Promise<string> => {
  const built = await build({
    entryPoints: [new URL(entry, import.meta.url).pathname],
    bundle: true,
    format,
    platform: 'neutral',
    target: 'es2022',
    write: false,
  })
  return built.outputFiles[0]!.text
}

const suiteUrl = (bridgeUrl: string) =>
  `http://localhost/?url=${encodeURIComponent(bridgeUrl)}&token=${encodeURIComponent(TOKEN)}`

const report = (runtime: string, results: () => CaseResult[]) => {
  for (const testCase of clientSuite) {
    it(testCase.name, () => {
      expect(results().find((r) => r.name === testCase.name)).toEqual({ name: testCase.name, ok: true })
    })
  }
  it(`ran every case inside ${runtime}`, () => {
    expect(results().map((r) => r.name)).toEqual(clientSuite.map((c) => c.name))
  })
}

describe('the client suite over HTTP inside workerd', () => {
  const valkey = useValkey()
  const bridge = useBridge(valkey)
  let results: CaseResult[] = []
  beforeAll(async () => {
    const mf = new Miniflare({
      modules: true,
      script: await bundle('./workerd/http-worker.ts', 'esm'),
      compatibilityDate: '2025-01-01',
    })
    try {
      results = (await (await mf.dispatchFetch(suiteUrl(bridge.url))).json()) as CaseResult[]
    } finally {
      await mf.dispose()
    }
  }, 60_000)
  report('workerd', () => results)
})

describe('the client suite over HTTP inside the edge-runtime VM (Vercel Edge)', () => {
  const valkey = useValkey()
  const bridge = useBridge(valkey)
  let results: CaseResult[] = []
  beforeAll(async () => {
    const runtime = new EdgeRuntime({ initialCode: await bundle('./edge/http-edge.ts', 'iife') })
    const response = await runtime.dispatchFetch(suiteUrl(bridge.url))
    results = (await response.json()) as CaseResult[]
  }, 60_000)
  report('edge-runtime', () => results)
})

const runDeno = (bridgeUrl: string): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      'npx',
      [
        'deno',
        'test',
        '--no-check',
        '--no-prompt',
        '--reporter=tap',
        '--allow-net=127.0.0.1',
        '--allow-env=BRIDGE_URL,BRIDGE_TOKEN',
        'test/runtimes/deno/http-client.test.ts',
      ],
      {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        env: {
          ...process.env,
          BRIDGE_URL: bridgeUrl,
          BRIDGE_TOKEN: TOKEN,
          DENO_NO_PACKAGE_JSON: '1',
          NO_COLOR: '1',
        },
      },
    )
    let output = ''
    const collect = (chunk: Buffer) => {
      output += chunk.toString()
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })

describe('the client suite over HTTP inside Deno', () => {
  const valkey = useValkey()
  const bridge = useBridge(valkey)
  let run = { code: null as number | null, output: '' }
  const results: CaseResult[] = []
  beforeAll(async () => {
    run = await runDeno(bridge.url)
    for (const line of run.output.split('\n')) {
      const match = /^(not ok|ok) \d+ - (.*)$/.exec(line.trim())
      if (match && match[2] !== 'close') results.push({ name: match[2]!, ok: match[1] === 'ok' })
    }
  }, 120_000)
  report('Deno', () => results)
  it('deno test exits 0', () => {
    expect(run.code, run.output.slice(-3000)).toBe(0)
  })
})
