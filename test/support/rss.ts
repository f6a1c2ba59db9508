/**
 * Test support: the resident memory and CPU time of a process (and its children, for `--workers`),
 * read from /proc on Linux, so a test can bound what a real bridge process holds and spends.
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

/** CPU time `pid` has used so far (user + system, all its threads), in ms; 10 ms resolution. */
export const cpuMsOf = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10
}
