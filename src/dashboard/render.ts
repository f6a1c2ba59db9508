/**
 * The decisions dashboard as one HTML page: plain HTML and inline SVG, rendered on the server, no
 * script, no build step, nothing fetched from elsewhere (the page's CSP forbids it). Per limiter
 * prefix, a chart of allowed / denied / deny-list decisions per bucket and its totals; the most
 * denied identifiers; the deny-list values hit; and Valkey's health. Every value that came from a
 * request (identifiers, deny-listed values, prefixes) is HTML-escaped.
 */
import type { LimiterAnalytics } from '../limit/analytics-report.ts'
import type { DashboardData, ValkeyHealth } from './data.ts'

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

const COLORS = { allowed: '#2f9e44', denied: '#e03131', denyList: '#f08c00' } as const
const W = 640
const H = 160
const PAD = 28

const time = (ms: number): string => new Date(ms).toISOString().slice(11, 16)

const bytes = (n: number | undefined): string => {
  if (n === undefined) return '–'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024
    i++
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

/** One limiter's decisions over time: a polyline per outcome, with the axis extremes labelled. */
const chart = (limiter: LimiterAnalytics): string => {
  const { series } = limiter
  const max = Math.max(1, ...series.map((p) => Math.max(p.allowed, p.denied, p.denyList)))
  const x = (i: number) => PAD + (series.length < 2 ? 0 : (i * (W - 2 * PAD)) / (series.length - 1))
  const y = (v: number) => H - PAD + 4 - (v * (H - 2 * PAD)) / max
  const line = (field: keyof typeof COLORS) =>
    `<polyline fill="none" stroke="${COLORS[field]}" stroke-width="2" data-series="${field}" points="${series
      .map((p, i) => `${x(i).toFixed(1)},${y(p[field]).toFixed(1)}`)
      .join(' ')}"/>`
  const first = series[0]
  const last = series[series.length - 1]
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="decisions over time">
<line x1="${PAD}" y1="${H - PAD + 4}" x2="${W - PAD}" y2="${H - PAD + 4}" stroke="#868e96"/>
<text x="2" y="${PAD}" font-size="11">${max}</text><text x="2" y="${H - PAD + 4}" font-size="11">0</text>
${first ? `<text x="${PAD}" y="${H - 6}" font-size="11">${time(first.time)}</text>` : ''}
${last ? `<text x="${W - PAD - 30}" y="${H - 6}" font-size="11">${time(last.time)}</text>` : ''}
${line('allowed')}${line('denied')}${line('denyList')}</svg>`
}

const table = (caption: string, rows: readonly { value: string; count: number }[], kind: string): string =>
  `<table data-table="${kind}"><caption>${caption}</caption><tr><th>value</th><th>count</th></tr>${
    rows.length === 0
      ? '<tr><td colspan="2">none</td></tr>'
      : rows.map((r) => `<tr><td>${escapeHtml(r.value)}</td><td data-count>${r.count}</td></tr>`).join('')
  }</table>`

const limiterSection = (limiter: LimiterAnalytics): string => {
  const { totals } = limiter
  const total = (field: keyof typeof COLORS, label: string) =>
    `<span class="total" style="color:${COLORS[field]}">${label} <b data-total="${field}">${totals[field]}</b></span>`
  return `<section data-prefix="${escapeHtml(limiter.prefix)}"><h2>${escapeHtml(limiter.prefix)}</h2>
<p>${total('allowed', 'allowed')} ${total('denied', 'denied')} ${total('denyList', 'deny list')}</p>
${chart(limiter)}
<div class="tables">${table('Top denied identifiers', limiter.topDenied, 'top-denied')}${table(
    'Deny-list hits',
    limiter.denyListHits,
    'deny-list',
  )}</div></section>`
}

const healthSection = (health: ValkeyHealth): string => {
  const row = (label: string, value: string, field: string) =>
    `<tr><th>${label}</th><td data-health="${field}">${escapeHtml(value)}</td></tr>`
  const rows = health.up
    ? [
        row('status', 'up', 'status'),
        row('PING', `${health.pingMs?.toFixed(2)} ms`, 'ping'),
        row('version', health.version ?? '–', 'version'),
        row('role', health.role ?? '–', 'role'),
        row('uptime', `${health.uptimeSeconds ?? '–'} s`, 'uptime'),
        row(
          'memory',
          `${bytes(health.usedMemory)}${health.maxMemory ? ` of ${bytes(health.maxMemory)}` : ''}`,
          'memory',
        ),
        row('clients', String(health.connectedClients ?? '–'), 'clients'),
        row('ops/s', String(health.opsPerSecond ?? '–'), 'ops'),
        row('evicted keys', String(health.evictedKeys ?? '–'), 'evicted'),
      ]
    : [row('status', 'down', 'status'), row('error', health.error ?? '', 'error')]
  return `<section><h2>Valkey</h2><table data-table="health">${rows.join('')}</table></section>`
}

/**
 * The dashboard page for `data`; it reloads itself every `refresh` seconds.
 *
 * @example
 * return new Response(renderDashboard(await readDashboardData(client)), { headers: { 'content-type': 'text/html' } })
 */
export const renderDashboard = (data: DashboardData, refresh = 10): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${refresh}">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>floodgate decisions</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#212529}h1{font-size:20px}h2{font-size:16px;margin:8px 0}
section{border:1px solid #dee2e6;border-radius:6px;padding:12px;margin:0 0 16px;max-width:700px}
.total{margin-right:16px}.tables{display:flex;gap:24px}table{border-collapse:collapse}caption{text-align:left;font-weight:600}
td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #f1f3f5}.legend span{margin-right:12px}</style></head>
<body><h1>floodgate decisions</h1>
<p class="legend">last ${data.limiters[0]?.series.length ?? 0} buckets of ${Math.round(data.bucket / 1000)} s, up to ${escapeHtml(
  new Date(data.generatedAt).toISOString(),
)} · <span style="color:${COLORS.allowed}">allowed</span><span style="color:${COLORS.denied}">denied</span><span style="color:${COLORS.denyList}">deny list</span></p>
${healthSection(data.health)}
${data.limiters.length === 0 ? '<p data-empty>No limiter has recorded analytics in this range. Turn on <code>analytics: true</code>.</p>' : data.limiters.map(limiterSection).join('\n')}
</body></html>`
