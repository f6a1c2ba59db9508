import { describe, expect, it } from 'vitest'
import { BadRequest, parseCommand, parseCommands, route } from '../../src/bridge/request.ts'
import { FloodgateError } from '../../src/errors.ts'

describe('route', () => {
  it('routes the fixed endpoints', () => {
    expect(route('/').endpoint).toBe('command')
    expect(route('/pipeline').endpoint).toBe('pipeline')
    expect(route('/multi-exec').endpoint).toBe('multi-exec')
    expect(route('/healthz').endpoint).toBe('healthz')
    expect(route('/metrics').endpoint).toBe('metrics')
  })

  it('treats other paths as path-style commands, percent-decoded, with query arguments kept apart', () => {
    expect(route('/set/foo/bar/EX/100')).toEqual({
      endpoint: 'command',
      path: ['set', 'foo', 'bar', 'EX', '100'],
      query: [],
    })
    expect(route('/set/a%2Fb/h%C3%A9?EX=100&NX')).toEqual({
      endpoint: 'command',
      path: ['set', 'a/b', 'hé'],
      query: ['EX', '100', 'NX'],
    })
  })

  it('routes paths named like Object.prototype members as commands (/valueOf/x is not an endpoint)', () => {
    for (const name of ['valueOf', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(route(`/${name}/x`)).toEqual({ endpoint: 'command', path: [name, 'x'], query: [] })
    }
  })

  it('takes _token out of the query', () => {
    const r = route('/get/k?_token=s3cret&x=1')
    expect(r.token).toBe('s3cret')
    expect(r.query).toEqual(['x', '1'])
    expect(route('/?_token=t').token).toBe('t')
    expect(route('/pipeline?_token=t')).toMatchObject({ endpoint: 'pipeline', token: 't' })
  })

  it('routes subscribe streams with the rest of the path as the channel', () => {
    expect(route('/subscribe/chat')).toMatchObject({ endpoint: 'subscribe', channel: 'chat' })
    expect(route('/psubscribe/news:*')).toMatchObject({ endpoint: 'psubscribe', channel: 'news:*' })
    expect(route('/subscribe/a/b%20c')).toMatchObject({ endpoint: 'subscribe', channel: 'a/b c' })
  })

  it('answers not-found for malformed uses of the fixed endpoints', () => {
    for (const url of [
      '/pipeline/x',
      '/multi-exec/1',
      '/healthz/deep',
      '/metrics/x',
      '/subscribe',
      '/subscribe/',
      '//get/k',
    ]) {
      expect(route(url).endpoint).toBe('not-found')
    }
  })

  it('rejects malformed percent-encoding with a 400', () => {
    expect(() => route('/get/%E0%A4%A')).toThrow(BadRequest)
  })

  it('throws a BadRequest that is a FloodgateError with a code and the status', () => {
    let caught: unknown
    try {
      route('/get/%E0%A4%A')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(FloodgateError)
    expect(caught).toMatchObject({ name: 'BadRequest', code: 'ERR_BAD_REQUEST', status: 400 })
  })
})

describe('parseCommand / parseCommands', () => {
  it('coerces numbers and booleans to their text', () => {
    expect(parseCommand('["SET","k","v","EX",100]')).toEqual(['SET', 'k', 'v', 'EX', '100'])
    expect(parseCommand('["set","k",true,false,1.5,-2,1e21]')).toEqual([
      'set',
      'k',
      'true',
      'false',
      '1.5',
      '-2',
      '1e+21',
    ])
    expect(parseCommands('[["INCR","a"],["GET","a"]]')).toEqual([
      ['INCR', 'a'],
      ['GET', 'a'],
    ])
  })

  const status = (f: () => unknown): [number, string] => {
    try {
      f()
    } catch (error) {
      if (error instanceof BadRequest) return [error.status, error.message]
      throw error
    }
    throw new Error('expected a BadRequest')
  }

  it('rejects malformed JSON and wrong shapes with a 400 that says what is wrong', () => {
    expect(status(() => parseCommand('["GET",'))).toEqual([400, 'ERR the request body is not valid JSON'])
    expect(status(() => parseCommand(''))[1]).toMatch(/empty request body/)
    expect(status(() => parseCommand('{"cmd":"GET"}'))[1]).toMatch(/non-empty JSON array/)
    expect(status(() => parseCommand('[]'))[1]).toMatch(/non-empty JSON array/)
    expect(status(() => parseCommand('["GET",null]'))[1]).toBe(
      'ERR argument 1 of the command is null; arguments must be JSON strings, numbers or booleans',
    )
    expect(status(() => parseCommand('["GET",{"a":1}]'))[1]).toMatch(/argument 1 of the command is an object/)
    expect(status(() => parseCommand('["GET",["a"]]'))[1]).toMatch(/is an array/)
    expect(status(() => parseCommands('["GET","k"]'))[1]).toMatch(/command 0 must be a non-empty JSON array/)
    expect(status(() => parseCommands('[]'))[1]).toMatch(/non-empty JSON array of commands/)
    expect(status(() => parseCommands('[["GET","k"],[]]'))[1]).toMatch(/command 1/)
  })
})
