/**
 * The streaming body parser against the reference it replaces (the old shape scan, then
 * JSON.parse, then the argument checks): for any body, fed in pieces of any size, the same
 * commands (compared as the bytes sent to Valkey) or the same refusal, word for word.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BodyParser } from '../../../src/bridge/body/parser.ts'
import type { BridgeArg } from '../../../src/bridge/request.ts'
import { parseCommand, parseCommands } from '../../../src/bridge/request.ts'
import { reference } from './reference.ts'

const utf8 = new TextEncoder()
/** What Valkey receives for an argument. */
const wire = (arg: BridgeArg): number[] => [...(typeof arg === 'string' ? utf8.encode(arg) : arg)]

const limits = { maxArgs: 40, maxCommands: 6 }

const parse = (body: Uint8Array, depth: 1 | 2, piece: number) => {
  const parser = new BodyParser(depth, limits)
  for (let i = 0; i < body.length; i += piece) parser.write(body.subarray(i, i + piece))
  const out = parser.end()
  return Array.isArray(out) ? out.map((command) => command.map(wire)) : out
}

const expected = (body: Uint8Array, depth: 1 | 2) => {
  const out = reference(body, depth, limits)
  return Array.isArray(out) ? out.map((command) => command.map(wire)) : out
}

const check = (text: string | Uint8Array, pieces = [1, 2, 3, 7, 64, 1 << 20]) => {
  const body = typeof text === 'string' ? utf8.encode(text) : text
  for (const depth of [1, 2] as const) {
    const want = expected(body, depth)
    for (const piece of pieces)
      expect([text, depth, piece, parse(body, depth, piece)]).toEqual([text, depth, piece, want])
  }
}

describe('BodyParser', () => {
  it('parses commands and pipelines as the reference does, in pieces of any size', () => {
    for (const text of [
      '["SET","k","v","EX",100]',
      '[["INCR","a"],["GET","a"]]',
      ' [ "set" , "k" , true , false , 1.5 , -2 , 1e21 , 0 , -0 , 1E-3 , 0.000 ] ',
      '["SET","key","a value long enough to stay bytes é😀"]',
      String.raw`["SET","k","\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800x\udc00 and more text past sixteen bytes"]`,
      `["EVAL","return 1","0","a string long enough but a script's"]`,
      `["SCRIPT","EXISTS","0123456789abcdef0123456789abcdef01234567"]`,
      '\ufeff["PING"]',
      '["INCRBY","k",123456789012345,1234567890123456,12345678901234567890,-123456789012345]',
      '["GET","[[[,,,{{"]',
    ]) {
      check(text)
    }
  })

  it('refuses what the reference refuses, with the same status and message', () => {
    for (const text of [
      '',
      '   ',
      '["GET",',
      '{"cmd":"GET"}',
      '[]',
      '[[]]',
      '"x"',
      '1',
      '["GET",null]',
      '["GET",{"a":1}]',
      '["GET",["a"]]',
      '["GET","k"]x',
      '["GET",1e999]',
      '["GET",01]',
      '["GET",1.]',
      '["GET",-]',
      '["GET",tru]',
      '["GET","a\u0001"]',
      String.raw`["GET","\x"]`,
      String.raw`["GET","\u12"]`,
      '[[[["GET"]]]]',
      '["GET",{"a":{"b":1}}]',
      '[["GET","k"],[]]',
      '[["GET"],"x",["GET",null]]',
      `["DEL"${',1'.repeat(60)}]`,
      `[${'["PING"],'.repeat(9)}["PING"]]`,
      `["GET",,,${'['.repeat(8)}`,
      `["GET",{"a":1,"b":[1,2]}]`,
      `[1,,${',1'.repeat(60)}`,
      '[["a"],{"a":[1,[2]]}]',
      '["a" "b"]',
      '["a",]',
      '[,]',
      '{"a" 1}',
      '{"a":1,}',
    ]) {
      check(text)
    }
  })

  it('agrees with the reference on random bodies', () => {
    const token = fc.constantFrom(
      '[',
      ']',
      '{',
      '}',
      ',',
      ':',
      '"',
      '\\',
      ' ',
      '1',
      '-',
      '.',
      'e',
      'true',
      'null',
      'a',
      'é',
      'u',
      '\n',
    )
    const structured = fc.oneof(
      fc.json().map((j) => `[${j}]`),
      fc
        .array(
          fc.array(fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null)), { maxLength: 5 }),
          { maxLength: 5 },
        )
        .map((v) => JSON.stringify(v)),
      fc
        .array(fc.oneof(fc.string({ unit: 'binary' }), fc.integer()), { maxLength: 6 })
        .map((v) => JSON.stringify(v)),
    )
    fc.assert(
      fc.property(
        fc.oneof(
          structured,
          fc.array(token, { maxLength: 40 }).map((t) => t.join('')),
        ),
        fc.integer({ min: 1, max: 9 }),
        (text, piece) => {
          const body = utf8.encode(text)
          for (const depth of [1, 2] as const)
            expect(parse(body, depth, piece)).toEqual(expected(body, depth))
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('keeps long strings as views of the body, short ones and a command name as text', () => {
    const body = utf8.encode(
      '["SET","a key longer than sixteen bytes","a value longer than sixteen bytes","short"]',
    )
    const [name, key, value, short] = parseCommand(body)
    expect([name, key, short]).toEqual(['SET', 'a key longer than sixteen bytes', 'short'])
    expect(value).toBeInstanceOf(Uint8Array)
    expect((value as Uint8Array).buffer).toBe(body.buffer)
    expect(new TextDecoder().decode(value as Uint8Array)).toBe('a value longer than sixteen bytes')
  })

  it('counts the values one level below the contract as arguments, and stops building past a limit', () => {
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
    // A million nested brackets: refused at the first one too deep, whatever follows.
    expect(status(() => parseCommands(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`))).toMatch(
      /^400 ERR the body nests too deeply \(at byte 3\)/,
    )
  })
})
