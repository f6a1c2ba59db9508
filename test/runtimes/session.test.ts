/**
 * Sessions inside the runtimes: the same small app bundled into workerd (Miniflare) and the
 * edge-runtime VM (Vercel Edge), and served by Deno, stateless and stateful (over the bridge to a
 * real valkey-server).
 * A cookie jar carries the Set-Cookie from one request to the next as a browser would.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { EdgeRuntime } from 'edge-runtime'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TOKEN, useBridge } from '../bridge/support.ts'
import { useValkey } from '../support/use-valkey.ts'

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

type Dispatch = (url: string, cookie?: string) => Promise<Response>
type Answer = { count: number; invalid: string[] }

const runtimes: Array<[string, () => Promise<{ dispatch: Dispatch; close(): Promise<void> }>]> = [
  [
    'workerd',
    async () => {
      const mf = new Miniflare({
        modules: true,
        script: await bundle('./session/worker.ts', 'esm'),
        compatibilityDate: '2025-01-01',
      })
      return {
        dispatch: async (url, cookie) =>
          (await mf.dispatchFetch(url, { headers: cookie ? { cookie } : {} })) as unknown as Response,
        close: () => mf.dispose(),
      }
    },
  ],
  [
    'the edge-runtime VM',
    async () => {
      const runtime = new EdgeRuntime({ initialCode: await bundle('./session/edge.ts', 'iife') })
      return {
        dispatch: (url, cookie) => runtime.dispatchFetch(url, { headers: cookie ? { cookie } : {} }),
        close: async () => {},
      }
    },
  ],
  [
    'Deno',
    async () => {
      // `deno run` with network access to 127.0.0.1 only; `jose` resolves from node_modules.
      const root = fileURLToPath(new URL('../..', import.meta.url))
      const child = spawn(
        'npx',
        [
          'deno',
          'run',
          '--no-check',
          '--no-prompt',
          '--allow-net=127.0.0.1',
          'test/runtimes/session/deno.ts',
        ],
        // Its own process group, so close() ends deno and not only the npx in front of it.
        { cwd: root, env: { ...process.env, NO_COLOR: '1' }, detached: true },
      )
      const port = await new Promise<number>((resolve, reject) => {
        let output = ''
        const timer = setTimeout(() => {
          process.kill(-child.pid!, 'SIGKILL')
          reject(new Error(`Deno did not start in 60 s:\n${output}`))
        }, 60_000)
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString()
          const match = /listening (\d+)/.exec(output)
          if (match) {
            clearTimeout(timer)
            resolve(Number(match[1]))
          }
        })
        child.stderr.on('data', (chunk: Buffer) => {
          output += chunk.toString()
        })
        child.once('exit', (code) => reject(new Error(`Deno exited with ${code}:\n${output}`)))
      })
      return {
        dispatch: (url, cookie) => {
          const { pathname, search } = new URL(url)
          return fetch(`http://127.0.0.1:${port}${pathname}${search}`, { headers: cookie ? { cookie } : {} })
        },
        close: async () => {
          child.removeAllListeners('exit')
          const exited = new Promise((resolve) => child.once('exit', resolve))
          process.kill(-child.pid!, 'SIGTERM')
          await exited
        },
      }
    },
  ],
]

describe.each(runtimes)('sessions inside %s', (_, start) => {
  const valkey = useValkey()
  const bridge = useBridge(valkey)
  let runtime: Awaited<ReturnType<typeof start>>
  beforeAll(async () => {
    runtime = await start()
  }, 60_000)
  afterAll(() => runtime?.close())

  it.each(['stateless', 'stateful'])(
    '%s: counts across requests, and a tampered cookie starts over',
    async (mode) => {
      const url = `https://app.example/${mode}/count?url=${encodeURIComponent(bridge.url)}&token=${TOKEN}`
      const visit = async (cookie?: string) => {
        const response = await runtime.dispatch(url, cookie)
        expect(response.status).toBe(200)
        return { answer: (await response.json()) as Answer, setCookie: response.headers.getSetCookie() }
      }
      const first = await visit()
      expect(first.answer).toEqual({ count: 1, invalid: [] })
      expect(first.setCookie).toHaveLength(1)
      expect(first.setCookie[0]).toMatch(
        /^__Host-session=[\w.-]+; Max-Age=1800; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      )
      let cookie = first.setCookie[0]!.split(';')[0]!
      for (const count of [2, 3]) {
        const next = await visit(cookie)
        expect(next.answer).toEqual({ count, invalid: [] })
        cookie = next.setCookie[0]?.split(';')[0] ?? cookie
      }
      const last = cookie.at(-2) === 'A' ? 'B' : 'A'
      const tampered = `${cookie.slice(0, -2)}${last}${cookie.at(-1)}`
      const reset = await visit(tampered)
      expect(reset.answer).toEqual({ count: 1, invalid: [mode === 'stateless' ? 'tampered' : 'not-found'] })
      expect(reset.setCookie).toHaveLength(1)
    },
  )
})
