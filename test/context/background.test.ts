import { afterEach, describe, expect, it } from 'vitest'
import { createBackground, withContext } from '../../src/context/background.ts'
import { vercelWaitUntil, waitUntil } from '../../src/context/wait-until.ts'

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms))

describe('createBackground', () => {
  it('tracks promises until they settle and drain() waits for all of them', async () => {
    const background = createBackground()
    const done: string[] = []
    background.waitUntil(later(30, 'a').then((v) => done.push(v)))
    background.waitUntil(later(10, 'b').then((v) => done.push(v)))
    expect(background.size).toBe(2)
    await background.drain()
    expect(done.sort()).toEqual(['a', 'b'])
    expect(background.size).toBe(0)
  })

  it('waits for work handed in while draining', async () => {
    const background = createBackground()
    const done: string[] = []
    background.waitUntil(
      later(10, 'first').then((v) => {
        done.push(v)
        background.waitUntil(later(10, 'second').then((w) => done.push(w)))
      }),
    )
    await background.drain()
    expect(done).toEqual(['first', 'second'])
  })

  it('reports a rejection to onError instead of leaving it unhandled', async () => {
    const errors: unknown[] = []
    const background = createBackground({ onError: (error) => errors.push(error) })
    background.waitUntil(Promise.reject(new Error('boom')))
    await background.drain()
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom'])
  })

  it('is passed as the third argument of app.fetch by withContext', async () => {
    const background = createBackground()
    const seen: unknown[] = []
    const handler = withContext(
      {
        fetch: (request: Request, env: { name: string }, ctx) => {
          seen.push(env.name, ctx)
          return new Response(request.url)
        },
      },
      background,
    )
    const response = await handler(new Request('https://app.example/x'), { name: 'info' })
    expect(await response.text()).toBe('https://app.example/x')
    expect(seen).toEqual(['info', background])
  })
})

describe('waitUntil', () => {
  const symbol = Symbol.for('@vercel/request-context')
  afterEach(() => {
    delete (globalThis as Record<symbol, unknown>)[symbol]
  })

  it("uses the context's waitUntil when given one", async () => {
    const handed: Promise<unknown>[] = []
    waitUntil(later(5, 'x'), { waitUntil: (p) => handed.push(p) })
    expect(handed).toHaveLength(1)
    await expect(handed[0]).resolves.toBeUndefined()
  })

  it("uses Vercel's request context when there is no ExecutionContext", () => {
    const handed: Promise<unknown>[] = []
    ;(globalThis as Record<symbol, unknown>)[symbol] = {
      get: () => ({ waitUntil: (p: Promise<unknown>) => handed.push(p) }),
    }
    expect(vercelWaitUntil()).toBeTypeOf('function')
    waitUntil(later(5, 'x'))
    expect(handed).toHaveLength(1)
  })

  it('runs detached elsewhere and reports a failure rather than rejecting', async () => {
    expect(vercelWaitUntil()).toBeUndefined()
    const errors: unknown[] = []
    waitUntil(Promise.reject(new Error('late failure')), undefined, (error) => errors.push(error))
    await later(5, null)
    expect(errors.map((e) => (e as Error).message)).toEqual(['late failure'])
  })
})
