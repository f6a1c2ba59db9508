/**
 * `npm run bench limiter-workerd`: floodgate's limiter against @upstash/ratelimit inside workerd
 * (Miniflare), both on the Worker's global fetch through floodgate's bridge (a separate process)
 * to one valkey-server, at 1 and 50 decisions in flight, interleaved over ROUNDS rounds. Each
 * ratio is the median of the per-round ratios.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { spawnQuietBridge } from '../../test/support/bridge-cli.ts'
import { startValkey } from '../../test/support/valkey.ts'
import { pairedRatio } from '../report.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const N = { 1: Number(process.env.N1 ?? 300), 50: Number(process.env.N50 ?? 3000) } as const
const TOKEN = 'bench-token-0123456789abcdef'

const push = (into: Record<string, number[]>, key: string, value: number) => {
  into[key] = [...(into[key] ?? []), value]
}

const built = await build({
  entryPoints: [fileURLToPath(new URL('./worker.ts', import.meta.url))],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['workerd', 'worker', 'import'],
  target: 'es2022',
  external: ['cloudflare:*'],
  alias: { floodgate: fileURLToPath(new URL('../../src/index.ts', import.meta.url)) },
  write: false,
})

const server = await startValkey()
const bridge = await spawnQuietBridge(server.url, TOKEN)
const mf = new Miniflare({
  modules: true,
  script: built.outputFiles[0]!.text,
  compatibilityDate: '2025-01-01',
  compatibilityFlags: ['nodejs_compat'],
  bindings: { BRIDGE_URL: bridge.url, TOKEN },
})
try {
  const rate = async (lib: string, c: 1 | 50) => {
    const n = N[c]
    const { ms, requests } = (await (
      await mf.dispatchFetch(`http://localhost/?lib=${lib}&n=${n}&c=${c}`)
    ).json()) as {
      ms: number
      requests: number
    }
    push(perRequest, `${lib} @${c}`, n / requests)
    return (n * 1000) / ms
  }
  const perRequest: Record<string, number[]> = {}
  // Warm both (scripts loaded, connections open) before measuring.
  for (const lib of ['floodgate', 'upstash']) await rate(lib, 50)
  const figures: Record<string, number[]> = {}
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of [1, 50] as const) {
      for (const lib of ['floodgate', 'upstash']) push(figures, `${lib} @${c}`, await rate(lib, c))
    }
  }
  console.log(
    `limiter decisions/s inside workerd (Miniflare), global fetch through the bridge, ${ROUNDS} interleaved rounds`,
  )
  for (const [key, values] of Object.entries(figures)) {
    const sorted = [...values].sort((a, b) => a - b)
    const batch = perRequest[key]!.at(-1)!.toFixed(1)
    console.log(
      `  ${key.padEnd(16)} ${Math.round(sorted[Math.floor(sorted.length / 2)]!)
        .toLocaleString('en-US')
        .padStart(8)}/s  (${batch} decisions per request)`,
    )
  }
  for (const c of [1, 50]) {
    const r = pairedRatio(`workerd @${c}`, figures[`floodgate @${c}`]!, figures[`upstash @${c}`]!)
    console.log(
      `ratio floodgate / @upstash/ratelimit in workerd @${c}: ${r.value!.toFixed(2)}x (rounds ${r.low!.toFixed(2)}–${r.high!.toFixed(2)})`,
    )
  }
} finally {
  await mf.dispose()
  bridge.child.kill('SIGTERM')
  await server.stop()
}
