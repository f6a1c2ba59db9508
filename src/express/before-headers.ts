/**
 * Runs async work after the handler has answered and before the response's headers leave, so
 * the work can still add headers (a session's `Set-Cookie`). Every path out of a Node response
 * goes through `writeHead`, `write`, `end` or `flushHeaders`; the first of them starts the work
 * and it and every later call are held, then replayed in order once the work is done. express-
 * session instead sets its cookie before the store write finishes, which is how a redirect can
 * reach the browser before its session is saved (expressjs/session #309).
 */
import type { ServerResponse } from 'node:http'

type Held = readonly [name: Method, args: unknown[]]
type Method = 'writeHead' | 'write' | 'end' | 'flushHeaders'
const METHODS: readonly Method[] = ['writeHead', 'write', 'end', 'flushHeaders']

/**
 * Holds `res`'s output until `work()` has settled. `work` resolves with the headers to append
 * (`[name, value]` pairs); when it rejects, `onError` answers instead (nothing has been sent).
 *
 * @example
 * beforeHeaders(res, async () => [['Set-Cookie', await save()]], (error) => res.statusCode = 503)
 */
export const beforeHeaders = (
  res: ServerResponse,
  work: () => Promise<Iterable<readonly [string, string]>>,
  onError: (error: unknown, end: (body: string) => void) => void,
): void => {
  const original = new Map<Method, (...args: unknown[]) => unknown>()
  const target = res as unknown as Record<Method, (...args: unknown[]) => unknown>
  for (const name of METHODS) original.set(name, target[name])
  const held: Held[] = []
  let started = false

  const restore = () => {
    for (const name of METHODS) target[name] = original.get(name)!
  }
  const call = (name: Method, args: unknown[]) => original.get(name)!.apply(res, args)

  const start = () => {
    started = true
    work().then(
      (headers) => {
        restore()
        if (!res.headersSent) for (const [name, value] of headers) res.appendHeader(name, value)
        for (const [name, args] of held) call(name, args)
      },
      (error: unknown) => {
        restore()
        onError(error, (body) => {
          if (res.headersSent) return void res.destroy(error as Error)
          res.statusCode = 503
          res.setHeader('Content-Type', 'text/plain; charset=utf-8')
          res.removeHeader('Content-Length')
          res.end(body)
        })
      },
    )
  }

  for (const name of METHODS) {
    target[name] = function hold(...args: unknown[]) {
      // The handler may pass a callback to write/end; it runs when the real call completes.
      held.push([name, args])
      if (!started) start()
      return name === 'write' ? true : res
    }
  }
}
