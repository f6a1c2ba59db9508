/**
 * The decisions dashboard in a real browser: Debian's Chromium (headless, driven by
 * playwright-core) opens the bridge's `/dashboard` after a scripted load of limiters recording
 * analytics through that bridge into a real Valkey, logs in with the bridge token, and reads the
 * rendered numbers. A screenshot is kept at .tmp/dashboard.png.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { createHttpClient } from '../../src/client/http/client.ts'
import { withAnalytics } from '../../src/limit/analytics.ts'
import { createLimiter } from '../../src/limit/limiter.ts'
import { Ratelimit } from '../../src/limit/ratelimit.ts'
import { slidingWindow } from '../../src/limit/sliding-window.ts'
import { TOKEN, useBridge } from '../bridge/support.ts'
import { useValkey } from '../support/use-valkey.ts'

const CHROMIUM = '/usr/bin/chromium'
const SHOTS = join(import.meta.dirname, '../../.tmp')

const valkey = useValkey()
const bridge = useBridge(valkey, { dashboard: true })

/** The scripted load: who calls how often, and what the limits make of it. */
const load = async () => {
  const client = createHttpClient({ url: bridge.url, token: TOKEN })
  const api = withAnalytics(createLimiter({ client, prefix: 'api', limits: slidingWindow(5, '1 h') }), {
    client,
    prefix: 'api',
  })
  const pending: Promise<unknown>[] = []
  const calls = { alice: 8, bob: 3, mallory: 10, '<script>alert(1)</script>': 6 }
  for (const [who, n] of Object.entries(calls)) {
    for (let i = 0; i < n; i++) pending.push((await api.limit(who)).pending)
  }
  const login = new Ratelimit({
    redis: client,
    prefix: 'login',
    limiter: Ratelimit.fixedWindow(100, '1 h'),
    analytics: true,
    enableProtection: true,
    ipDenyList: false,
  })
  await login.denyList.add('203.0.113.9')
  for (const ip of ['203.0.113.9', '203.0.113.9', '198.51.100.4']) {
    pending.push((await login.limit('someone', { ip })).pending)
  }
  await Promise.all(pending)
  await client.close()
}

describe('the decisions dashboard in headless Chromium', () => {
  it('shows allowed and denied per limiter, top denied, deny-list hits and Valkey health', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`)
    }
    await load()
    const profile = mkdtempSync(join(tmpdir(), 'floodgate-chromium-'))
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    })
    try {
      const page = await context.newPage()
      const first = await page.goto(`${bridge.url}/dashboard`)
      expect(first?.status()).toBe(401)
      await page.fill('input[name=token]', 'not-the-token')
      await page.click('button[type=submit]')
      expect(await page.textContent('[role=alert]')).toContain('not accepted')
      await page.fill('input[name=token]', TOKEN)
      await Promise.all([page.waitForURL(`${bridge.url}/dashboard`), page.click('button[type=submit]')])

      const text = async (selector: string) => (await page.locator(selector).first().textContent())?.trim()
      const api = 'section[data-prefix="api"]'
      expect(await text(`${api} [data-total="allowed"]`)).toBe('18') // 5 + 3 + 5 + 5
      expect(await text(`${api} [data-total="denied"]`)).toBe('9') // 3 + 0 + 5 + 1
      const topDenied = await page.locator(`${api} [data-table="top-denied"] tr`).allInnerTexts()
      expect(topDenied.slice(1, 4)).toEqual(['mallory\t5', 'alice\t3', '<script>alert(1)</script>\t1'])
      const login = 'section[data-prefix="login"]'
      expect(await text(`${login} [data-total="allowed"]`)).toBe('1')
      expect(await text(`${login} [data-total="denyList"]`)).toBe('2')
      const hits = await page.locator(`${login} [data-table="deny-list"] tr`).allInnerTexts()
      expect(hits.slice(1)).toEqual(['203.0.113.9\t2'])
      expect(await text('[data-health="status"]')).toBe('up')
      expect(await text('[data-health="version"]')).toMatch(/^\d+\.\d+\.\d+$/)
      // The identifier that looks like markup stayed text: the page runs no script at all.
      expect(await page.locator('script').count()).toBe(0)
      // Each chart has one line per outcome, with a point per bucket.
      const points = await page.locator(`${api} polyline[data-series="denied"]`).getAttribute('points')
      expect(points?.split(' ')).toHaveLength(60)

      mkdirSync(SHOTS, { recursive: true })
      await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true })
    } finally {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }, 60_000)

  it('refuses the data without a token, and serves it as JSON with one', async () => {
    const refused = await fetch(`${bridge.url}/dashboard/data.json`)
    expect(refused.status).toBe(401)
    const data = await fetch(`${bridge.url}/dashboard/data.json`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    expect(data.status).toBe(200)
    const body = (await data.json()) as { limiters: { prefix: string }[]; health: { up: boolean } }
    expect(body.limiters.map((l) => l.prefix)).toEqual(['api', 'login'])
    expect(body.health.up).toBe(true)
  })
})
