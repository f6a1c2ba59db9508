/**
 * A tiny app, bundled into workerd and the edge-runtime VM, that counts visits in a session:
 * `/<mode>/count?url=<bridge>&token=<token>` with mode `stateless` or `stateful` (over HTTP through
 * the bridge). It answers `{ count, invalid }` (the onInvalid reasons of this request) and adds the
 * session's Set-Cookie.
 */
import { createHttpClient } from '../../../src/client/http/client.ts'
import { createSessions, type Sessions } from '../../../src/session/index.ts'

type Data = { count: number }

const SECRET = 'runtime-test-secret-0123456789-abcdefghij'
const apps = new Map<string, { sessions: Sessions<Data>; invalid: string[] }>()

const appFor = (mode: string, url: string, token: string) => {
  const id = `${mode} ${url}`
  let app = apps.get(id)
  if (!app) {
    const invalid: string[] = []
    const onInvalid = (reason: string) => void invalid.push(reason)
    const sessions =
      mode === 'stateless'
        ? createSessions<Data>({ mode: 'stateless', secrets: SECRET, onInvalid })
        : createSessions<Data>({ client: createHttpClient({ url, token }), onInvalid })
    app = { sessions, invalid }
    apps.set(id, app)
  }
  return app
}

export const handle = async (request: Request): Promise<Response> => {
  const url = new URL(request.url)
  const mode = url.pathname.split('/')[1] ?? ''
  const app = appFor(mode, url.searchParams.get('url') ?? '', url.searchParams.get('token') ?? '')
  app.invalid.length = 0
  try {
    const session = await app.sessions.load(request)
    const count = (session.get('count') ?? 0) + 1
    session.set('count', count)
    return await session.applyTo(Response.json({ count, invalid: [...app.invalid] }))
  } catch (error) {
    return Response.json({ error: String(error) }, { status: 500 })
  }
}
