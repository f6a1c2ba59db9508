import { describe, expect, it } from 'vitest'
import { jsonShape } from '../../src/bridge/json-shape.ts'
import { parseCommand, parseCommands } from '../../src/bridge/request.ts'

const shape = (text: string, max: number) => jsonShape(new TextEncoder().encode(text), max)

describe('jsonShape', () => {
  it('counts the values at each depth of a pipeline', () => {
    expect(shape('[["GET","k"],["PING"]]', 3)).toEqual({ tooDeepAt: -1, values: [0, 2, 3, 0] })
    expect(shape(' [ "SET" , "k" , 1 , true ] ', 2)).toEqual({ tooDeepAt: -1, values: [0, 4, 0] })
  })

  it('stops at the first bracket deeper than allowed, arrays and objects alike', () => {
    expect(shape('[[["GET"]]]', 2).tooDeepAt).toBe(2)
    expect(shape('["GET",{"a":{"b":1}}]', 2).tooDeepAt).toBe(12)
    expect(shape(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`, 3).tooDeepAt).toBe(3)
  })

  it('reads brackets, commas and escaped quotes inside strings as data', () => {
    expect(shape(String.raw`["[[[,,,", "\"[[", "\\", "\\\"[,"]`, 1)).toEqual({
      tooDeepAt: -1,
      values: [0, 4],
    })
    // Multi-byte UTF-8 never contains an ASCII byte, so the structure reads the same.
    expect(shape('["é[😀,", "ü"]', 1)).toEqual({ tooDeepAt: -1, values: [0, 2] })
  })

  it('leaves an unterminated string or a stray bracket to JSON.parse', () => {
    expect(shape('["abc', 1)).toEqual({ tooDeepAt: -1, values: [0, 1] })
    expect(shape(']]],[', 1)).toEqual({ tooDeepAt: -1, values: [1, 1] })
  })
})

describe('parseCommand and parseCommands limits', () => {
  it('count the values one level below the contract as arguments, before JSON.parse builds them', () => {
    const limits = { maxArgs: 5, maxCommands: 2 }
    const status = (run: () => unknown) => {
      try {
        run()
        return 'parsed'
      } catch (error) {
        return `${(error as { status: number }).status} ${(error as Error).message}`
      }
    }
    expect(status(() => parseCommand('["DEL","a","b","c","d"]', limits))).toBe('parsed')
    expect(status(() => parseCommand('["DEL","a","b","c","d","e"]', limits))).toMatch(
      /^413 ERR too many arguments in one request: 6 \(the limit is 5, set by --max-args\)/,
    )
    expect(status(() => parseCommand('["GET",[1,1,1,1,1]]', limits))).toMatch(/^413 .*arguments.*: 7/)
    expect(status(() => parseCommands('[[[1,1,1,1,1]]]', limits))).toMatch(/^413 .*arguments.*: 6/)
    expect(status(() => parseCommands('[["GET","a"],["GET","b"]]', limits))).toBe('parsed')
    expect(status(() => parseCommands('[["PING"],["PING"],["PING"]]', limits))).toMatch(
      /^413 ERR too many commands in one request: 3 \(the limit is 2, set by --max-commands\)/,
    )
  })
})
