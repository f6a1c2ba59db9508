/**
 * Test support: the resident memory of a process (and its children, for `--workers`), read from
 * /proc on Linux, so a test can bound what a real bridge process holds.
 */
import { readFileSync } from 'node:fs'

/** Resident set size of `pid` in bytes. */
export const rssOf = (pid: number): number => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!match) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(match[1]) * 1024
}

/** The pids of `pid`'s direct children (the workers of a `--workers` bridge). */
export const childrenOf = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number)
