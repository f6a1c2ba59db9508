/**
 * A streaming JSON parser for exactly the bridge's request bodies: a command (an array of
 * strings, numbers or booleans) or a pipeline (an array of such arrays). It is fed the body in
 * pieces of any size, so the caller can return to the event loop between them, and it never
 * decodes the whole body or builds a value the contract does not allow:
 *
 * - a string of 16 bytes or more stays the body's own UTF-8 bytes, a `Uint8Array` view handed as
 *   it is to the RESP encoder; shorter ones, a command's name and first argument (the policy reads
 *   them) up to 1 KiB, and every argument of a command whose text the bridge reads (scripts),
 *   become strings;
 * - one level deeper than the contract is parsed only to name the misplaced value (`argument 1
 *   of the command is an array`); a bracket deeper than that refuses the body at once;
 * - values are counted as the old shape scan counted them (brackets and commas outside strings,
 *   the level below the contract included), and past `maxArgs` / `maxCommands` nothing more is
 *   built: the rest is only scanned, so the refusal can give the body's full count.
 *
 * After a syntax error the rest is scanned the same way: a body deeper than allowed, or with too
 * many values, is refused as such even when it is also malformed.
 */
import { type Refusal, shapeMessage, TOO_DEEP, tooMany } from './messages.ts'
import { NumberReader } from './number-reader.ts'
import { Scanner } from './scanner.ts'
import { textOf } from './string-bytes.ts'
import { MORE, StringReader } from './string-reader.ts'

/** An argument as the parser hands it over: text, or a view of the body's bytes. */
export type BodyArg = string | Uint8Array

/** How many values a body may hold. */
export interface ValueLimits {
  maxArgs: number
  maxCommands: number
}

/** Strings shorter than this become JS strings (keys, options, numbers' worth of text). */
const RAW_MIN = 16
/** A command's name and first argument stay text (the policy reads them) up to this length. */
const TEXT_MAX = 1024
/** Commands whose arguments scripts.ts rewrites as text: all their arguments stay strings. */
const TEXT_COMMANDS = new Set(['EVAL', 'EVAL_RO', 'EVALSHA', 'EVALSHA_RO', 'SCRIPT'])

const QUOTE = 0x22
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const BOM = [0xef, 0xbb, 0xbf]

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

/** What the values inside a container are. */
const ARGS = 0
const COMMANDS = 1
const IGNORED = 2

/** What the innermost container (or the top level) expects next. */
const VALUE = 0
const VALUE_OR_CLOSE = 1
const NEXT = 2
const KEY = 3
const KEY_OR_CLOSE = 4
const COLON_NEXT = 5
const END = 6

/** The token being read, across pieces. */
const NONE = 0
const STRING = 1
const NUMBER = 2
const LITERAL = 3

const LITERALS = { t: 'true', f: 'false', n: 'null' } as const

export class BodyParser {
  readonly #depth: number
  readonly #limits: ValueLimits
  readonly #scanner: Scanner
  /** Bytes fed so far. */
  #offset = 0
  /** Bytes of a leading byte-order mark seen. */
  #bom = 0
  #scanning = false
  // The container stack (at most depth + 1 deep): what it holds, its state, its values so far.
  readonly #kinds: number[] = []
  readonly #counts: number[] = []
  readonly #objects: boolean[] = []
  #state = VALUE
  #token = NONE
  // The token being read.
  #keep = false
  readonly #strings = new StringReader()
  readonly #numbers = new NumberReader()
  #literal = ''
  #literalAt = 0
  // What is built.
  #commands: BodyArg[][] = []
  #command: BodyArg[] | undefined
  #textOnly = false
  #shape: string | undefined
  #syntax = false

  /** `depth`: 1 for a command body, 2 for a pipeline or transaction. */
  constructor(depth: 1 | 2, limits: ValueLimits) {
    this.#depth = depth
    this.#limits = limits
    this.#scanner = new Scanner(depth + 1)
  }

  /** Reads the next piece of the body; its work is linear in its length. */
  write(piece: Uint8Array): void {
    let i = 0
    const n = piece.length
    // A leading byte-order mark is skipped, as TextDecoder skipped it.
    while (this.#bom < 3 && this.#offset + i === this.#bom && i < n) {
      if (piece[i] !== BOM[this.#bom]) {
        if (this.#bom > 0) i = this.#fail(piece, i, false, false)
        break
      }
      this.#bom++
      i++
    }
    while (i < n) {
      if (this.#scanning) {
        this.#scanner.scan(piece, i, this.#offset)
        break
      }
      if (this.#token === STRING) i = this.#stringPart(piece, i)
      else if (this.#token === NUMBER) i = this.#numberPart(piece, i)
      else if (this.#token === LITERAL) i = this.#literalPart(piece, i)
      else i = this.#structure(piece, i)
    }
    this.#offset += n
  }

  /** The commands (one for a command body), or why the body is refused. */
  end(): BodyArg[][] | Refusal {
    if (this.#offset === 0) return { status: 400, message: 'ERR empty request body: expected a JSON array' }
    if (!this.#scanning) {
      if (this.#token === NUMBER && this.#numbers.complete) this.#finishNumber()
      if (this.#token !== NONE || this.#state !== END) this.#syntax = true
    }
    const { tooDeepAt, values } = this.#scanner
    if (tooDeepAt !== -1) return { status: 400, message: TOO_DEEP(tooDeepAt, this.#depth) }
    const d = this.#depth
    const args = values[d]! + values[d + 1]!
    const { maxArgs, maxCommands } = this.#limits
    if (args > maxArgs) return tooMany('arguments', args, maxArgs, '--max-args')
    if (d === 2 && values[1]! > maxCommands)
      return tooMany('commands', values[1]!, maxCommands, '--max-commands')
    if (this.#syntax) return { status: 400, message: 'ERR the request body is not valid JSON' }
    if (this.#shape !== undefined) return { status: 400, message: this.#shape }
    return this.#commands
  }

  #fail(piece: Uint8Array, at: number, inString: boolean, escaped: boolean): number {
    this.#syntax = true
    this.#enterScan(inString, escaped)
    this.#scanner.scan(piece, at, this.#offset)
    return piece.length
  }

  #enterScan(inString: boolean, escaped: boolean): void {
    this.#scanning = true
    this.#scanner.resume(this.#kinds.length, inString, escaped)
    this.#commands = []
    this.#command = undefined
  }

  /** Counts a value at `level` (as the shape scan did); past the limits, only scans on. */
  #count(level: number): boolean {
    const values = this.#scanner.values
    values[level]!++
    const d = this.#depth
    if (
      values[d]! + values[d + 1]! > this.#limits.maxArgs ||
      (d === 2 && values[1]! > this.#limits.maxCommands)
    ) {
      this.#enterScan(false, false)
      return false
    }
    return true
  }

  #structure(piece: Uint8Array, i: number): number {
    const n = piece.length
    for (; i < n; i++) {
      const c = piece[i]!
      if (isSpace(c)) continue
      const state = this.#state
      if (state === VALUE || state === VALUE_OR_CLOSE) {
        if (state === VALUE_OR_CLOSE && c === CLOSE_ARRAY) this.#close()
        else return this.#value(piece, i)
      } else if (state === NEXT) {
        const object = this.#objects[this.#objects.length - 1]
        if (c === COMMA) {
          this.#state = object ? KEY : VALUE
          if (!this.#count(this.#kinds.length)) return this.#rest(piece, i + 1)
        } else if (c === (object ? CLOSE_OBJECT : CLOSE_ARRAY)) this.#close()
        else return this.#fail(piece, i, false, false)
      } else if (state === KEY || state === KEY_OR_CLOSE) {
        if (state === KEY_OR_CLOSE && c === CLOSE_OBJECT) this.#close()
        else if (c === QUOTE) return this.#startString(false, i + 1)
        else return this.#fail(piece, i, false, false)
      } else if (state === COLON_NEXT) {
        if (c === COLON) this.#state = VALUE
        else return this.#fail(piece, i, false, false)
      } else return this.#fail(piece, i, false, false)
    }
    return n
  }

  /** Scans what is left of a piece once the parser stopped building. */
  #rest(piece: Uint8Array, i: number): number {
    this.#scanner.scan(piece, i, this.#offset)
    return piece.length
  }

  /** Where a value at the current level goes: ARGS, COMMANDS or IGNORED. */
  #role(): number {
    const top = this.#kinds.length
    return top === 0 ? -1 : this.#kinds[top - 1]!
  }

  #value(piece: Uint8Array, i: number): number {
    const c = piece[i]!
    const role = this.#role()
    const level = this.#kinds.length
    if (level > 0) this.#counts[level - 1]!++
    if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      const object = c === OPEN_OBJECT
      if (level + 1 > this.#depth + 1) {
        this.#scanner.tooDeep(this.#offset + i)
        this.#scanning = true
        return piece.length
      }
      let kind = IGNORED
      if (role === -1 && !object) kind = this.#depth === 1 ? ARGS : COMMANDS
      else if (role === COMMANDS && !object) kind = ARGS
      else if (role === -1) this.#refuse(shapeMessage(this.#depth, 'top'))
      else if (role === COMMANDS) this.#refuse(shapeMessage(2, 'command', this.#counts[level - 1]! - 1))
      else if (role === ARGS) this.#refuseArg(object ? 'an object' : 'an array')
      if (kind === ARGS && this.#shape === undefined) {
        this.#command = []
        this.#textOnly = false
      }
      this.#kinds.push(kind)
      this.#counts.push(0)
      this.#objects.push(object)
      this.#state = object ? KEY_OR_CLOSE : VALUE_OR_CLOSE
      if (!this.#count(level + 1)) return this.#rest(piece, i + 1)
      return i + 1
    }
    if (role === -1) this.#refuse(shapeMessage(this.#depth, 'top'))
    else if (role === COMMANDS) this.#refuse(shapeMessage(2, 'command', this.#counts[level - 1]! - 1))
    const keep = role === ARGS && this.#shape === undefined
    if (c === QUOTE) return this.#startString(keep, i + 1)
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.#token = NUMBER
      this.#keep = keep
      this.#numbers.start(keep)
      return i
    }
    const literal = LITERALS[String.fromCharCode(c) as keyof typeof LITERALS]
    if (literal === undefined) return this.#fail(piece, i, false, false)
    this.#token = LITERAL
    this.#keep = role === ARGS
    this.#literal = literal
    this.#literalAt = 0
    return i
  }

  #refuse(message: string): void {
    this.#shape ??= message
    this.#commands = []
    this.#command = undefined
  }

  #refuseArg(kind: string): void {
    const where = this.#argWhere()
    this.#refuse(`ERR ${where} is ${kind}; arguments must be JSON strings, numbers or booleans`)
  }

  /** "argument 2 of the command" / "argument 2 of command 7", for the value just started. */
  #argWhere(): string {
    const level = this.#kinds.length
    const arg = this.#counts[level - 1]! - 1
    return this.#depth === 1
      ? `argument ${arg} of the command`
      : `argument ${arg} of command ${this.#counts[0]! - 1}`
  }

  #close(): void {
    const kind = this.#kinds.pop()!
    const count = this.#counts.pop()!
    this.#objects.pop()
    if (kind === ARGS) {
      if (count === 0)
        this.#refuse(shapeMessage(this.#depth, this.#depth === 1 ? 'top' : 'command', this.#counts[0]! - 1))
      else if (this.#command !== undefined) this.#commands.push(this.#command)
      this.#command = undefined
    } else if (kind === COMMANDS && count === 0) this.#refuse(shapeMessage(2, 'top'))
    this.#afterValue()
  }

  #afterValue(): void {
    this.#token = NONE
    this.#state = this.#kinds.length === 0 ? END : NEXT
  }

  /** A scalar argument, built. */
  #arg(value: BodyArg): void {
    const command = this.#command
    if (command === undefined || this.#shape !== undefined) return
    if (command.length === 0 && typeof value === 'string')
      this.#textOnly = TEXT_COMMANDS.has(value.toUpperCase())
    command.push(value)
  }

  #startString(keep: boolean, i: number): number {
    this.#token = STRING
    this.#keep = keep
    this.#strings.start(keep)
    return i
  }

  #stringPart(piece: Uint8Array, i: number): number {
    const strings = this.#strings
    const next = strings.read(piece, i)
    if (next === MORE) return piece.length
    if (next < MORE) return this.#fail(piece, -2 - next, true, strings.escaped)
    this.#finishString(piece, strings.from, strings.to)
    return next
  }

  /** Ends the string; its last run is `piece[from, to)`. */
  #finishString(piece: Uint8Array, from: number, to: number): void {
    if (this.#state === KEY || this.#state === KEY_OR_CLOSE) {
      this.#token = NONE
      this.#state = COLON_NEXT
      return
    }
    if (this.#keep) {
      const index = this.#command?.length ?? 0
      const bytes = this.#strings.earlier
      // Most strings lie within one piece, without escapes: read them in place.
      bytes?.run(piece.subarray(from, to))
      const length = bytes === undefined ? to - from : bytes.length
      const asBytes = !this.#textOnly && length >= RAW_MIN && (index >= 2 || length >= TEXT_MAX)
      if (bytes !== undefined) this.#arg(asBytes ? bytes.bytes() : textOf(bytes.bytes(), 0, length))
      else this.#arg(asBytes ? piece.subarray(from, to) : textOf(piece, from, to))
    }
    this.#afterValue()
  }

  #numberPart(piece: Uint8Array, i: number): number {
    const next = this.#numbers.read(piece, i)
    if (next === MORE) return piece.length
    if (next < MORE) return this.#fail(piece, -2 - next, false, false)
    this.#finishNumber()
    return next
  }

  #finishNumber(): void {
    if (this.#keep) {
      const value = this.#numbers.value()
      if (value !== undefined) this.#arg(value)
      else this.#refuse(`ERR ${this.#argWhere()} is not a finite number`)
    }
    this.#afterValue()
  }

  #literalPart(piece: Uint8Array, i: number): number {
    const n = piece.length
    const literal = this.#literal
    for (; i < n; i++) {
      if (piece[i] !== literal.charCodeAt(this.#literalAt)) return this.#fail(piece, i, false, false)
      if (++this.#literalAt === literal.length) {
        if (this.#keep) {
          if (literal === 'null') this.#refuseArg('null')
          else this.#arg(literal)
        }
        this.#afterValue()
        return i + 1
      }
    }
    return n
  }
}
