#!/usr/bin/env node
/**
 * The `floodgate` command: `floodgate bridge --listen 127.0.0.1:8079 --upstream redis://... --token ...`.
 * Prints `listening on http://HOST:PORT` on stdout when ready and one-line JSON logs on stderr;
 * exits 2 with a clear message on bad configuration. SIGTERM (or SIGINT) drains: no new
 * connections, requests in flight answered, then exit 0. `--workers N` serves from N processes
 * (node:cluster) sharing the port.
 */
import cluster from 'node:cluster'
import { readFileSync } from 'node:fs'
import { ConfigError } from '../../errors.ts'
import { type AccessClass, aclSetUser, sha256Hex } from '../acl-rules.ts'
import { generatePassword, rulesFor } from '../acl-users.ts'
import { createAuth } from '../auth.ts'
import { type BridgeConfig, parseConfig, usage } from '../config.ts'
import { jsonLogger, type Logger } from '../log.ts'
import { Metrics } from '../metrics.ts'
import { createPolicy } from '../policy.ts'
import { relayMetrics, workerMetrics } from './cluster-metrics.ts'
import { startBridge } from './start.ts'

const TOP = 'Usage: floodgate bridge [options]   (floodgate bridge --help lists them)'

const fail = (message: string, code = 2): never => {
  process.stderr.write(`floodgate: ${message}\n`)
  process.exit(code)
}

/** The package's version, from the package.json above this file (in src/ or in dist/src/). */
const version = (): string => {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string
        version?: string
      }
      if (pkg.name === 'floodgate' && pkg.version) return pkg.version
    } catch {
      // no package.json here: look one level up
    }
  }
  return 'unknown'
}

/** `--print-acl`: the lines an operator runs when the bridge does not manage the users. */
const printAcl = async (config: BridgeConfig): Promise<void> => {
  const lines: string[] = []
  for (const access of ['full', 'read-only'] as AccessClass[]) {
    const user = config.aclUsers[access]
    const secret = user.password
      ? { sha256: await sha256Hex(user.password) }
      : { placeholder: 'CHOOSE-A-PASSWORD' }
    lines.push(aclSetUser(user.username, secret, rulesFor(config, access)).join(' '))
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

const readConfig = (argv: string[]): BridgeConfig => {
  if (argv[0] === '--version' || argv[0] === '-v' || argv[1] === '--version') {
    process.stdout.write(`floodgate ${version()}\n`)
    process.exit(0)
  }
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(`${usage()}\n`)
    process.exit(0)
  }
  if (argv[0] !== 'bridge')
    fail(argv[0] === undefined ? TOP : `unknown command ${JSON.stringify(argv[0])}; ${TOP}`)
  try {
    const config = parseConfig(argv.slice(1), process.env)
    if (config === 'help') {
      process.stdout.write(`${usage()}\n`)
      process.exit(0)
    }
    // Checked here too, so a bad token or allow-list fails before anything listens.
    createAuth({ tokens: config.tokens, readOnlyTokens: config.readOnlyTokens })
    createPolicy({ allow: config.allowCommands })
    // A worker of --workers: which passwords its primary generated (see supervise).
    for (const access of (process.env.FLOODGATE_ACL_GENERATED ?? '').split(',')) {
      if (access === 'full' || access === 'read-only') config.aclUsers[access].generated = true
    }
    return config
  } catch (error) {
    if (error instanceof ConfigError || error instanceof TypeError) fail(error.message)
    throw error
  }
}

const serve = async (config: BridgeConfig, log: Logger): Promise<void> => {
  let server: Awaited<ReturnType<typeof startBridge>>
  try {
    const metrics = new Metrics()
    server = await startBridge(config, log, {
      metrics,
      ...(cluster.isWorker ? { renderMetrics: workerMetrics(metrics) } : {}),
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    fail(
      code === 'EADDRINUSE'
        ? `cannot listen on ${config.host}:${config.port}: the address is in use`
        : `cannot start: ${(error as Error).message}`,
      1,
    )
    return
  }
  if (cluster.isPrimary) process.stdout.write(`listening on ${server.url}\n`)
  log('info', 'listening', { url: server.url, pid: process.pid })
  let stopping = false
  const stop = async (signal: string) => {
    // A second Ctrl-C stops a single process at once; a worker ignores its primary's echo.
    if (stopping) return cluster.isPrimary ? process.exit(1) : undefined
    stopping = true
    log('info', 'draining', { signal, pid: process.pid })
    await server.close()
    log('info', 'stopped', { pid: process.pid })
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

const supervise = (config: BridgeConfig, log: Logger): void => {
  let listening = 0
  let stopping = false
  // Every worker sets up the same ACL users: the passwords are chosen here, once, so that one
  // worker's ACL SETUSER never invalidates another's password.
  const passwords: Record<string, string> = {}
  if (config.manageAcl !== false) {
    passwords.FLOODGATE_ACL_FULL_PASSWORD = config.aclUsers.full.password ?? generatePassword()
    passwords.FLOODGATE_ACL_READONLY_PASSWORD = config.aclUsers['read-only'].password ?? generatePassword()
    passwords.FLOODGATE_ACL_GENERATED = (['full', 'read-only'] as const)
      .filter((access) => config.aclUsers[access].password === undefined)
      .join(',')
  }
  const forkOne = () =>
    cluster.fork(passwords).once('listening', (address) => {
      if (++listening === config.workers) {
        const host = address.address?.includes(':')
          ? `[${address.address}]`
          : (address.address ?? config.host)
        process.stdout.write(`listening on http://${host}:${address.port}\n`)
        log('info', 'listening', { workers: config.workers, pid: process.pid })
      }
    })
  // Each worker accepts from the shared listening socket itself. Under Node's default round-robin
  // the primary accepts and hands each connection over; a worker killed mid-handover never
  // acknowledges it, and the primary then holds that connection open forever (a client hung 40 s
  // here). A connection a worker owns closes with it, so its client fails at once.
  cluster.schedulingPolicy = cluster.SCHED_NONE
  relayMetrics()
  for (let i = 0; i < config.workers; i++) forkOne()
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
      return
    }
    if (listening < config.workers) fail(`a worker exited (code ${code}) before it was listening`, 1)
    log('warn', 'worker exited; starting another', { pid: worker.process.pid, code, signal })
    listening--
    forkOne()
  })
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1)
    stopping = true
    log('info', 'draining', { signal, workers: config.workers })
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

const config = readConfig(process.argv.slice(2))
const log = jsonLogger((line) => process.stderr.write(`${line}\n`), config.logLevel)
if (config.printAcl) await printAcl(config)
else if (cluster.isPrimary && config.workers > 1) supervise(config, log)
else await serve(config, log)
