/**
 * The end-to-end cases every runtime suite runs against the example app (`examples/shared`):
 * login, the session cookie round trip, a 429 with its headers, logout, sign-out-everywhere,
 * background work reaching the runtime's `waitUntil`, and a cached response. Runtime-neutral on purpose (no vitest, no
 * Node APIs): the Node runners call them from vitest, the Deno runner from `deno test`.
 */

export interface Target {
  /** Sends a request into the app running in the runtime. `ip` sets the client address where the runtime lets a test choose it. */
  fetch(path: string, init?: RequestInit & { ip?: string }): Promise<Response>
  /**
   * Waits for the app's background work (what it handed to `waitUntil`): Node and Deno drain
   * their tracker, Vercel awaits the responses' `waitUntil()`. Workers cancels work not handed
   * to `waitUntil` once the response is out, so there the runner polls `until` for a while.
   */
  settle(until: () => Promise<boolean>): Promise<void>
  /** Reads a counter straight from Valkey (or the backend), to see what background work wrote. */
  counter(key: string): Promise<number>
  /**
   * How many promises the runtime's `waitUntil` has received so far, where the runner can count
   * them (Node, Deno and Vercel). Workers' own context cannot be observed from outside: there the
   * proof is that workerd cancels any other work once the response is out.
   */
  handed?(): Promise<number>
}

export interface Assert {
  equal(actual: unknown, expected: unknown, message?: string): void
  ok(value: unknown, message?: string): void
}

/** The assert every runner uses: throws an Error showing both values. */
export const assert: Assert = {
  equal(actual, expected, message) {
    if (!Object.is(actual, expected)) {
      throw new Error(
        `${message ?? 'equal'}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
      )
    }
  },
  ok(value, message) {
    if (!value) throw new Error(`${message ?? 'ok'}: got ${JSON.stringify(value)}`)
  },
}

export interface Case {
  name: string
  /** Only where the runner can choose the client IP. */
  needsIp?: boolean
  run(target: Target, assert: Assert): Promise<void>
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

/** The session cookie (`name=value`) a response set, or undefined. */
export const sessionCookie = (response: Response): string | undefined => {
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith('__Host-session='))
  return cookie?.split(';')[0]
}

const login = async (target: Target, username: string, password: string, ip?: string) => {
  const response = await target.fetch('/login', { ...json({ username, password }), ...(ip ? { ip } : {}) })
  return {
    response,
    body: (await response.json()) as Record<string, unknown>,
    cookie: sessionCookie(response),
  }
}

const withCookie = (cookie: string | undefined, init: RequestInit = {}): RequestInit => ({
  ...init,
  // hono/csrf refuses a POST a cross-site form could send: JSON is not one.
  headers: { 'content-type': 'application/json', cookie: cookie ?? '' },
})

export const cases: Case[] = [
  {
    name: 'logs in with the right password and sets a secure session cookie',
    async run(target, assert) {
      const wrong = await login(target, 'alice', 'wrong password')
      assert.equal(wrong.response.status, 401)
      assert.equal(wrong.cookie, undefined, 'no session for a failed login')
      const { response, body, cookie } = await login(target, 'alice', 'correct horse')
      assert.equal(response.status, 200)
      assert.equal(body.user, 'alice')
      const line = response.headers.getSetCookie().find((l) => l.startsWith('__Host-session='))!
      assert.ok(/HttpOnly/i.test(line) && /Secure/i.test(line) && /SameSite=Lax/i.test(line), line)
      assert.ok(/Path=\//.test(line) && /Max-Age=\d+/.test(line), line)
      assert.ok(cookie && cookie.length > '__Host-session='.length + 20, 'an opaque session id')
    },
  },
  {
    name: 'round-trips the session cookie and refuses a tampered one',
    async run(target, assert) {
      const anonymous = await target.fetch('/me')
      assert.equal(anonymous.status, 401)
      const { cookie } = await login(target, 'bob', 'battery staple')
      const me = await target.fetch('/me', withCookie(cookie))
      assert.equal(me.status, 200)
      assert.equal(((await me.json()) as { user: string }).user, 'bob')
      const tampered = `${cookie!.slice(0, -2)}${cookie!.endsWith('AA') ? 'BB' : 'AA'}`
      assert.equal((await target.fetch('/me', withCookie(tampered))).status, 401)
    },
  },
  {
    name: 'answers the 6th login attempt in 15 minutes with a 429 and rate-limit headers',
    async run(target, assert) {
      for (let i = 1; i <= 5; i++) {
        const { response } = await login(target, 'alice', `guess ${i}`)
        assert.equal(response.status, 401, `attempt ${i}`)
        assert.equal(response.headers.get('ratelimit-policy')?.includes('q=5;w=900'), true, 'policy header')
      }
      const { response, body } = await login(target, 'alice', 'correct horse')
      assert.equal(response.status, 429)
      const retryAfter = Number(response.headers.get('retry-after'))
      // A sliding window frees a slot once enough of the previous window's weight has slid out:
      // up to one window plus a fraction of the next.
      assert.ok(retryAfter > 0 && retryAfter <= 2 * 900, `Retry-After ${retryAfter}`)
      assert.ok(
        /r=0/.test(response.headers.get('ratelimit') ?? ''),
        `RateLimit ${response.headers.get('ratelimit')}`,
      )
      assert.equal(typeof body.error, 'string')
      assert.equal(sessionCookie(response), undefined, 'a refused login creates no session')
    },
  },
  {
    name: 'limits one username across many IPs',
    needsIp: true,
    async run(target, assert) {
      for (let i = 1; i <= 5; i++) {
        const { response } = await login(target, 'bob', `guess ${i}`, `198.51.100.${i}`)
        assert.equal(response.status, 401, `attempt ${i}`)
      }
      const blocked = await login(target, 'bob', 'battery staple', '198.51.100.77')
      assert.equal(blocked.response.status, 429)
      const other = await login(target, 'alice', 'correct horse', '198.51.100.78')
      assert.equal(other.response.status, 200, 'another user from a fresh IP still logs in')
    },
  },
  {
    name: 'limits the API to 100 requests a minute per user',
    async run(target, assert) {
      assert.equal((await target.fetch('/api/data')).status, 401)
      const alice = (await login(target, 'alice', 'correct horse')).cookie
      let last: Response | undefined
      let calls = 0
      for (let i = 1; i <= 100; i++) {
        last = await target.fetch('/api/data', withCookie(alice))
        calls = i
        if (last.status !== 200) break
      }
      assert.equal(last?.status, 200, `call ${calls} of 100: ${last && (await last.clone().text())}`)
      const header = last?.headers.get('ratelimit') ?? ''
      assert.ok(/^"api";r=0;t=\d+$/.test(header), `the 100th call leaves none: ${header}`)
      const denied = await target.fetch('/api/data', withCookie(alice))
      assert.equal(denied.status, 429)
      assert.ok(Number(denied.headers.get('retry-after')) >= 1)
      const bob = (await login(target, 'bob', 'battery staple')).cookie
      assert.equal((await target.fetch('/api/data', withCookie(bob))).status, 200, 'per user, not global')
    },
  },
  {
    name: 'logs out: the cookie is cleared and no longer works',
    async run(target, assert) {
      const { cookie } = await login(target, 'alice', 'correct horse')
      const out = await target.fetch('/logout', withCookie(cookie, { method: 'POST' }))
      assert.equal(out.status, 200)
      const cleared = out.headers.getSetCookie().find((l) => l.startsWith('__Host-session='))
      assert.ok(cleared && /Max-Age=0/.test(cleared), `cleared: ${cleared}`)
      assert.equal((await target.fetch('/me', withCookie(cookie))).status, 401)
    },
  },
  {
    name: 'signs a user out everywhere and leaves other users signed in',
    async run(target, assert) {
      const laptop = (await login(target, 'alice', 'correct horse')).cookie
      const phone = (await login(target, 'alice', 'correct horse')).cookie
      const bob = (await login(target, 'bob', 'battery staple')).cookie
      assert.ok(laptop !== phone, 'two sessions')
      const out = await target.fetch('/logout-everywhere', withCookie(phone, { method: 'POST' }))
      assert.equal(out.status, 200)
      assert.equal(((await out.json()) as { sessions: number }).sessions, 2)
      assert.equal((await target.fetch('/me', withCookie(laptop))).status, 401)
      assert.equal((await target.fetch('/me', withCookie(phone))).status, 401)
      assert.equal((await target.fetch('/me', withCookie(bob))).status, 200)
    },
  },
  {
    name: 'refuses a cross-site form post (hono/csrf) before it reaches the limiter',
    async run(target, assert) {
      const response = await target.fetch('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        body: 'username=alice&password=x',
      })
      assert.equal(response.status, 403)
    },
  },
  {
    name: "hands the limiter's pending work to the runtime's waitUntil",
    async run(target, assert) {
      const before = await target.counter('example:audit:login')
      const handedBefore = await target.handed?.()
      await login(target, 'alice', 'correct horse')
      await login(target, 'alice', 'wrong')
      if (handedBefore !== undefined) {
        // Two limiters per login, each handing its pending work over.
        assert.equal((await target.handed!()) - handedBefore, 4, 'promises handed to waitUntil')
      }
      await target.settle(async () => (await target.counter('example:audit:login')) - before === 2)
      assert.equal((await target.counter('example:audit:login')) - before, 2)
    },
  },
  {
    name: 'caches GET /report: the second request is a hit with the same body and ETag',
    async run(target, assert) {
      // A URL of its own per run: an earlier run's entry, stale by now, would be refreshed meanwhile.
      const path = `/report?run=${Math.random().toString(36).slice(2)}`
      const first = await target.fetch(path)
      const body = await first.text()
      assert.equal(first.status, 200)
      assert.equal(first.headers.get('cache-status'), 'floodgate; fwd=miss; stored')
      const second = await target.fetch(path)
      assert.equal(await second.text(), body, 'the cached body')
      assert.equal(second.headers.get('cache-status'), 'floodgate; hit')
      assert.equal(second.headers.get('etag'), first.headers.get('etag'))
    },
  },
]

/** The part of a background tracker the counting wrapper needs (createBackground's shape). */
interface BackgroundLike {
  waitUntil(promise: Promise<unknown>): void
  passThroughOnException(): void
  props: unknown
  readonly size: number
  drain(): Promise<void>
}

/** Wraps a background tracker to count the promises handed to its `waitUntil`. */
export const counting = <B extends BackgroundLike>(inner: B): B & { readonly handed: number } => {
  let handed = 0
  return {
    ...inner,
    get size() {
      return inner.size
    },
    get handed() {
      return handed
    },
    waitUntil(promise: Promise<unknown>) {
      handed++
      inner.waitUntil(promise)
    },
    passThroughOnException: () => inner.passThroughOnException(),
    drain: () => inner.drain(),
  }
}
