/**
 * The README's first command: `npm start` runs examples/node on the memory backend, prints its
 * URL and three curl commands, and those commands, run as printed, show a login setting the
 * session cookie, the cookie round trip, and a 429 from the login limit.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')

describe('npm start', () => {
  let child: ChildProcess | undefined
  let printed = ''
  const dir = mkdtempSync(join(tmpdir(), 'floodgate-demo-'))

  beforeAll(async () => {
    const env: Record<string, string | undefined> = { ...process.env, PORT: '0' }
    delete env.FLOODGATE_URL
    child = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`npm start printed no curl lines in 30 s:\n${printed}`)),
        30_000,
      )
      const read = (chunk: Buffer) => {
        printed += chunk.toString()
        if (/; echo\n/.test(printed)) {
          clearTimeout(timer)
          ready()
        }
      }
      child!.stdout!.on('data', read)
      child!.stderr!.on('data', read)
      child!.once('exit', (code) => fail(new Error(`npm start exited with ${code}:\n${printed}`)))
    })
  }, 40_000)

  afterAll(() => {
    // npm runs tsx in a process group of its own (detached): end the whole group.
    if (child?.pid) process.kill(-child.pid, 'SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  })

  const curlLines = () => printed.split('\n').filter((line) => /^\s+(curl|for )/.test(line))
  const run = (line: string) =>
    execFileSync('bash', ['-c', line.trim().replaceAll('/tmp/floodgate.jar', join(dir, 'jar'))], {
      encoding: 'utf8',
      timeout: 20_000,
    })

  it('prints the URL and the backend', () => {
    expect(printed).toMatch(/^floodgate example listening on http:\/\/localhost:\d+ \(backend: in-memory\)$/m)
    expect(curlLines()).toHaveLength(3)
  })

  it('runs the three curl lines as printed: a session, its cookie round trip, and a 429', () => {
    const [login, me, guesses] = curlLines()
    const loggedIn = run(login!)
    expect(loggedIn).toMatch(/^HTTP\/1\.1 200 OK/)
    expect(loggedIn).toMatch(
      /^set-cookie: __Host-session=[\w-]+; Max-Age=1800; Path=\/; HttpOnly; Secure; SameSite=Lax/im,
    )
    expect(JSON.parse(run(me!))).toMatchObject({ user: 'alice' })
    const codes = run(guesses!).trim().split(' ')
    expect(codes).toEqual(['401', '401', '401', '401', '429', '429'])
  })

  it('caches GET /report: the second request is a hit with the same body and ETag, then a 304', async () => {
    const url = /listening on (http:\/\/localhost:\d+)/.exec(printed)![1]!
    const first = await fetch(`${url}/report`)
    const second = await fetch(`${url}/report`)
    const body = await first.json()
    expect(body).toMatchObject({ report: 'daily totals' })
    expect(await second.json()).toEqual(body)
    expect(first.headers.get('cache-status')).toBe('floodgate; fwd=miss; stored')
    expect(second.headers.get('cache-status')).toBe('floodgate; hit')
    const etag = second.headers.get('etag')!
    expect(etag).toBe(first.headers.get('etag'))
    expect((await fetch(`${url}/report`, { headers: { 'if-none-match': etag } })).status).toBe(304)
  })
})
