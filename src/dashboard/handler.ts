/**
 * The dashboard's HTTP side, web-standard: `/dashboard` (the page), `/dashboard/data.json` (the
 * same data as JSON) and `/dashboard/login` (a form). Access takes one of the configured tokens,
 * as `Authorization: Bearer <token>` or through the login form, which sets an HttpOnly,
 * SameSite=Strict cookie holding a SHA-256 of the token (never the token itself). Comparisons run
 * in time independent of where a guess differs. The bridge mounts it (`--dashboard`), and
 * `floodgate/hono`'s `dashboard()` mounts it in a Hono app.
 */
import type { Client } from '../client/types.ts'
import { type DashboardDataOptions, readDashboardData } from './data.ts'
import { escapeHtml, renderDashboard } from './render.ts'

export interface DashboardOptions extends DashboardDataOptions {
  /** Where Valkey is: the client the limiters record analytics through. */
  client: Client
  /** Tokens that may open the dashboard (at least one; 8 characters or more). */
  tokens: readonly string[]
  /** The path it answers under. Default `'/dashboard'`. */
  path?: string
  /** Seconds between the page's reloads. Default 10. */
  refresh?: number
}

/** A request as the dashboard reads it (the bridge's Node server passes one without a `Request`). */
export interface DashboardInput {
  method: string
  /** Path and query. */
  url: string
  header(name: string): string | null | undefined
  body: string
}

export interface DashboardOutput {
  status: number
  headers: Record<string, string>
  body: string
}

export interface Dashboard {
  /** Answers a request under `path`, or `undefined` for any other path. */
  handle(input: DashboardInput): Promise<DashboardOutput | undefined>
  fetch(request: Request): Promise<Response | undefined>
}

const COOKIE = 'floodgate_dashboard'
const SECURITY = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}

const equal = (a: string, b: string): boolean => {
  let diff = a.length ^ b.length
  for (let i = 0; i < b.length; i++) diff |= (i < a.length ? a.charCodeAt(i) : 0) ^ b.charCodeAt(i)
  return diff === 0
}

const sessionOf = async (token: string): Promise<string> => {
  const digest = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(`floodgate-dashboard\0${token}`),
  )
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

const loginPage = (
  path: string,
  failed: boolean,
): string => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>floodgate dashboard</title></head><body style="font:14px system-ui,sans-serif;margin:24px">
<h1 style="font-size:20px">floodgate decisions</h1>${failed ? '<p role="alert">That token was not accepted.</p>' : ''}
<form method="post" action="${escapeHtml(path)}/login"><label>Bridge token <input name="token" type="password" autocomplete="current-password" required></label>
<button type="submit">Open</button></form></body></html>`

/**
 * Builds the dashboard handler.
 *
 * @example
 * const dashboard = createDashboard({ client, tokens: [env.DASHBOARD_TOKEN] })
 * export default { fetch: async (request) => (await dashboard.fetch(request)) ?? new Response('not found', { status: 404 }) }
 */
export const createDashboard = (options: DashboardOptions): Dashboard => {
  const path = options.path ?? '/dashboard'
  const tokens = [...options.tokens]
  if (tokens.length === 0 || tokens.some((t) => typeof t !== 'string' || t.length < 8)) {
    throw new TypeError('createDashboard: tokens must hold at least one token of 8 characters or more')
  }
  const sessions = Promise.all(tokens.map(sessionOf))
  const html = (status: number, body: string, extra: Record<string, string> = {}): DashboardOutput => ({
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', ...SECURITY, ...extra },
    body,
  })
  const allowed = async (input: DashboardInput): Promise<boolean> => {
    const auth = input.header('authorization') ?? ''
    const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(auth)?.[1]
    let ok = false
    if (bearer !== undefined) for (const token of tokens) ok = equal(bearer, token) || ok
    const cookie = /(?:^|;\s*)floodgate_dashboard=([0-9a-f]{64})/.exec(input.header('cookie') ?? '')?.[1]
    if (cookie !== undefined) for (const session of await sessions) ok = equal(cookie, session) || ok
    return ok
  }

  const handle = async (input: DashboardInput): Promise<DashboardOutput | undefined> => {
    const pathname = input.url.split('?')[0]!
    if (pathname !== path && !pathname.startsWith(`${path}/`)) return undefined
    if (pathname === `${path}/login` && input.method === 'POST') {
      const token = new URLSearchParams(input.body).get('token') ?? ''
      let index = -1
      tokens.forEach((t, i) => {
        if (equal(token, t)) index = i
      })
      if (index < 0) return html(401, loginPage(path, true))
      const secure = input.header('x-forwarded-proto') === 'https' ? '; Secure' : ''
      const cookie = `${COOKIE}=${(await sessions)[index]}; Path=${path}; HttpOnly; SameSite=Strict${secure}`
      return html(303, '', { location: path, 'set-cookie': cookie })
    }
    if (input.method !== 'GET' && input.method !== 'HEAD')
      return html(405, 'method not allowed', { allow: 'GET, HEAD' })
    if (!(await allowed(input))) return html(401, loginPage(path, false))
    const data = await readDashboardData(options.client, options)
    if (pathname === `${path}/data.json`) {
      return {
        status: 200,
        headers: { 'content-type': 'application/json', ...SECURITY },
        body: JSON.stringify(data),
      }
    }
    if (pathname !== path && pathname !== `${path}/`) return html(404, 'not found')
    return html(200, renderDashboard(data, options.refresh ?? 10))
  }

  return {
    handle,
    async fetch(request) {
      const url = new URL(request.url)
      const out = await handle({
        method: request.method,
        url: url.pathname + url.search,
        header: (name) =>
          name === 'x-forwarded-proto' && url.protocol === 'https:' ? 'https' : request.headers.get(name),
        body: request.method === 'POST' ? await request.text() : '',
      })
      return out && new Response(request.method === 'HEAD' ? null : out.body || null, out)
    },
  }
}
